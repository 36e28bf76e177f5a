import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { RollcallError, invalidInput } from '../errors.js';
import { FernetError, assertFernetKey, decryptFernet, encryptFernet } from './fernet.js';

/** The file that holds the key ring of the embedded (zero-config) mode, inside the data folder. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * The Fernet keys that seal secrets at rest (API clients' secrets, upstream credentials).
 *
 * The first key seals; every key may open. To rotate, put a new key first and keep the old ones
 * after it until the re-seal has run (`needsReseal` tells which tokens still use an old key).
 *
 * Sealed secrets are data at rest, not messages in flight: they never expire and their timestamp is
 * not checked against the clock (a restore onto a machine whose clock is behind must still open them).
 */
export class KeyRing {
  readonly #keys: readonly string[];
  /** Where the keys came from, for messages: `ROLLCALL_SECRET_KEY` or the path of secret.key. */
  readonly #source: string;

  private constructor(keys: readonly string[], source: string) {
    this.#keys = keys;
    this.#source = source;
  }

  /** Parses ROLLCALL_SECRET_KEY: Fernet keys separated by commas, the sealing key first. */
  static fromEnvValue(value: string): KeyRing {
    return KeyRing.fromKeyList(value, 'ROLLCALL_SECRET_KEY');
  }

  /** A new random Fernet key (32 bytes, base64url with padding, as Fernet implementations write them). */
  static generateKey(): string {
    return randomBytes(32).toString('base64url') + '=';
  }

  /** Like fromEnvValue for keys from elsewhere; `source` (e.g. a file's path) names them in messages. */
  static fromKeyList(value: string, source: string): KeyRing {
    const entries = value.split(',').map((entry) => entry.trim());
    const keys: string[] = [];
    entries.forEach((entry, index) => {
      if (entry === '') return; // tolerate a stray or trailing comma
      try {
        assertFernetKey(entry);
      } catch (error) {
        if (!(error instanceof FernetError)) throw error;
        throw invalidInput(
          `${source}: key ${index + 1} of ${entries.length} is not a Fernet key (each key must be 32 random bytes in base64 ` +
            `or base64url, for example from \`openssl rand -base64 32\`; keys are separated by commas)`,
          { source, position: index + 1 },
        );
      }
      keys.push(entry);
    });
    if (keys.length === 0) throw invalidInput(`${source} holds no key (expected Fernet keys separated by commas)`, { source });
    return new KeyRing(keys, source);
  }

  /** How many keys the ring holds. */
  get size(): number {
    return this.#keys.length;
  }

  /** Seals `plaintext` with the first key. */
  seal(plaintext: string): string {
    return encryptFernet(this.#keys[0], plaintext);
  }

  /** Opens a sealed secret with whichever key sealed it. */
  open(token: string): string {
    return this.#open(token).plaintext;
  }

  /** True when `token` opens only with a key other than the first (it should be sealed again); throws like `open` when no key opens it. */
  needsReseal(token: string): boolean {
    return this.#open(token).index > 0;
  }

  #open(token: string): { plaintext: string; index: number } {
    for (const [index, key] of this.#keys.entries()) {
      try {
        const plaintext = decryptFernet(key, token, { maxClockSkewSeconds: Infinity }).toString('utf8');
        return { plaintext, index };
      } catch (error) {
        if (!(error instanceof FernetError)) throw error;
      }
    }
    throw new RollcallError(
      'internal',
      `a sealed secret could not be opened with any key in ${this.#source} (was the key changed without keeping the old one?)`,
      { source: this.#source },
    );
  }

  // Keep the keys out of logs, JSON and console output.
  toJSON(): string {
    return this.toString();
  }

  toString(): string {
    return `KeyRing(${this.#keys.length} key${this.#keys.length === 1 ? '' : 's'} from ${this.#source})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * The key ring of this process:
 * - `envValue` (ROLLCALL_SECRET_KEY) when set;
 * - else, in the embedded mode only, the keys in `<dataDir>/secret.key`, creating that file (mode
 *   0600, one new key) on first use so that `npm start` needs no environment;
 * - else (a server database without ROLLCALL_SECRET_KEY) undefined: the caller decides whether
 *   sealing is required.
 */
export function loadKeyRing(opts: { envValue?: string; dataDir?: string; embedded: boolean }): KeyRing | undefined {
  if (opts.envValue !== undefined && opts.envValue !== '') return KeyRing.fromEnvValue(opts.envValue);
  if (!opts.embedded) return undefined;
  if (!opts.dataDir) throw new RollcallError('internal', 'loadKeyRing needs the data folder in the embedded mode');

  const file = path.join(opts.dataDir, SECRET_KEY_FILE);
  const existing = readIfExists(file);
  if (existing !== undefined) return KeyRing.fromKeyList(existing, file);

  fs.mkdirSync(opts.dataDir, { recursive: true });
  createExclusively(file, `${KeyRing.generateKey()}\n`);
  // Read back rather than use the generated key: another process may have created the file first.
  return KeyRing.fromKeyList(fs.readFileSync(file, 'utf8'), file);
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Creates `file` with `content` and mode 0600 unless it exists. The content is written to a
 * temporary file and hard-linked into place, so a concurrent reader never sees a half-written key;
 * where hard links are not supported, falls back to an exclusive create.
 */
function createExclusively(file: string, content: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      try {
        fs.writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
      } catch (fallbackError) {
        if ((fallbackError as NodeJS.ErrnoException).code !== 'EEXIST') throw fallbackError;
      }
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
