import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import type { SFTPWrapper } from 'ssh2';
import yauzl from 'yauzl';
import type { Logger } from '../../../log.js';
import type { DropEntry } from './choose.js';
import { normalizeFingerprint, type CsvDropConfig, type CsvDropCredentials } from './config.js';
import { CsvDropError, describe } from './errors.js';
import { readSmall, type PackageSummary } from './package-check.js';

/** OpenSSH's fingerprint of a host key blob: `SHA256:` + unpadded base64. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** How ssh2 reports a transfer whose connection went away. */
const CONNECTION_LOST = /no response from server|not connected|connection (lost|closed|reset)|ECONNRESET|EPIPE|socket hang up/i;

/** SFTP status codes (draft-ietf-secsh-filexfer) the listing errors carry. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

/**
 * One logged-in SFTP session to a district's server: listing, downloads, and range reads of a
 * remote zip, each bounded by the connection's timeout and ended at once by the run's stop signal
 * or by the server dropping the connection. Every error is a CsvDropError an admin can act on.
 */
export class SftpSession {
  private interrupt!: (e: CsvDropError) => void;
  private readonly interrupted: Promise<never>;
  private closing = false;
  private connectionLost = false;
  private readonly secrets: Array<string | undefined>;

  private constructor(
    private readonly client: SftpClient,
    private readonly sftp: SFTPWrapper,
    private readonly config: CsvDropConfig,
    private readonly log: Logger,
    credentials: CsvDropCredentials,
  ) {
    this.secrets = [credentials.password, credentials.privateKey, credentials.passphrase];
    this.interrupted = new Promise<never>((_, reject) => (this.interrupt = reject));
    this.interrupted.catch(() => {});
    client.on('close', () => {
      if (this.closing) return;
      this.connectionLost = true;
      this.interrupt(new CsvDropError('internal', `the SFTP server ${this.server} closed the connection: the next run will try again`, { retryable: true }));
    });
  }

  get server(): string {
    return serverName(this.config);
  }

  /** `/outbound on sftp.example.org` */
  where(dir = this.config.path): string {
    return `${dir} on ${this.server}`;
  }

  private get timeoutMs(): number {
    return this.config.timeoutSeconds * 1000;
  }

  /** Logs in; refuses a server whose host key differs from the pinned one. */
  static async open(config: CsvDropConfig, credentials: CsvDropCredentials, log: Logger, signal: AbortSignal): Promise<SftpSession> {
    const server = serverName(config);
    const secrets = [credentials.password, credentials.privateKey, credentials.passphrase];
    if (!credentials.password && !credentials.privateKey) {
      throw new CsvDropError('invalid_input', `the connection to ${server} has no password or private key: add one to its credentials`);
    }
    if (signal.aborted) throw stopped();
    const quiet = (what: string) => (err?: unknown) => log.debug({ event: what, detail: err ? describe(err, secrets) : undefined }, 'sftp connection event');
    const client = new SftpClient('rollcall', { error: quiet('error'), end: quiet('end'), close: quiet('close') });
    const pinned = config.hostKeySha256 ? normalizeFingerprint(config.hostKeySha256) : undefined;
    let presented: string | undefined;
    client.on('keyboard-interactive', ((_name: string, _instr: string, _lang: string, prompts: unknown[], finish: (answers: string[]) => void) =>
      finish(prompts.map(() => credentials.password ?? ''))) as never);
    const onAbort = () => void client.end().catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    let sftp: SFTPWrapper;
    try {
      sftp = await client.connect({
        host: config.host,
        port: config.port,
        username: config.username,
        password: credentials.password,
        privateKey: credentials.privateKey,
        passphrase: credentials.passphrase,
        tryKeyboard: Boolean(credentials.password),
        readyTimeout: config.timeoutSeconds * 1000,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          presented = sshFingerprint(key);
          return !pinned || presented === pinned;
        },
      });
    } catch (err) {
      await client.end().catch(() => {});
      if (signal.aborted) throw stopped();
      if (pinned && presented && presented !== pinned) {
        throw new CsvDropError(
          'forbidden',
          `the server's host key ${presented} does not match the pinned key ${pinned}: if the district changed its server, update hostKeySha256; otherwise something is intercepting the connection`,
        );
      }
      throw connectError(err, config, secrets);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const session = new SftpSession(client, sftp, config, log, credentials);
    const onStop = () => session.interrupt(stopped());
    signal.addEventListener('abort', onStop, { once: true });
    session.detach = () => signal.removeEventListener('abort', onStop);
    if (pinned) log.debug({ server, hostKey: presented }, 'sftp logged in');
    else log.info({ server, hostKey: presented }, 'sftp logged in; the host key is not pinned: set hostKeySha256 to this value to refuse any other server');
    return session;
  }

  private detach = () => {};

  /** Says goodbye; a server that does not answer within a few seconds (a dead network) has its socket destroyed. */
  async close(): Promise<void> {
    this.detach();
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const ended = this.client.end().catch(() => {});
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        (this.client as unknown as { client?: { destroy?: () => void } }).client?.destroy?.();
        resolve();
      }, 5000);
    });
    await Promise.race([ended, forced]);
    clearTimeout(timer);
  }

  /** Races an operation with the session's interruptions and a timeout. */
  private async guard<T>(op: Promise<T>, what: string, timeoutMs = this.timeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CsvDropError('internal', `no answer from the SFTP server ${this.server} within ${timeoutMs / 1000}s while ${what}: the next run will try again`, { retryable: true })),
        timeoutMs,
      );
    });
    op.catch(() => {}); // when the race is lost, its late failure is of no interest
    try {
      return await Promise.race([op, this.interrupted, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The names in a remote directory. */
  async list(dir = this.config.path): Promise<DropEntry[]> {
    try {
      const items = await this.guard(this.client.list(dir), `listing ${dir}`);
      return items.map((i) => ({
        name: i.name,
        kind: i.type === 'd' ? 'dir' : i.type === '-' ? 'file' : 'other',
        size: Number(i.size),
        mtimeMs: Number(i.modifyTime),
      }));
    } catch (err) {
      if (err instanceof CsvDropError) throw err;
      const code = (err as { code?: unknown }).code;
      if (code === NO_SUCH_FILE) {
        throw new CsvDropError('not_found', `the folder ${this.where(dir)} does not exist (logged in as ${this.config.username}): check the path`);
      }
      if (code === PERMISSION_DENIED) {
        throw new CsvDropError('forbidden', `user ${this.config.username} may not read ${this.where(dir)}: ask the server's administrator for read access, or check the path`);
      }
      throw new CsvDropError('internal', `could not list ${this.where(dir)}: the next run will try again`, { retryable: true, technical: describe(err, this.secrets) });
    }
  }

  /**
   * Downloads a file, checking it arrives whole (`expectedSize` bytes). Parallel reads; gives up
   * when no byte arrives for the timeout, when the connection drops, or when the run is stopped.
   */
  async download(remote: string, local: string, expectedSize: number): Promise<void> {
    const started = Date.now();
    let received = 0;
    let lastProgress = started;
    let watchdog: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      watchdog = setInterval(() => {
        if (Date.now() - lastProgress > this.timeoutMs) {
          reject(new CsvDropError('internal', `the download of ${this.where(remote)} stalled (${received} of ${expectedSize} bytes, nothing for ${this.config.timeoutSeconds}s): the next run will try again`, { retryable: true }));
        }
      }, Math.min(1000, this.timeoutMs));
    });
    stalled.catch(() => {});
    const transfer = new Promise<void>((resolve, reject) =>
      this.sftp.fastGet(remote, local, {
        concurrency: 16, chunkSize: 64 * 1024,
        step: (total) => {
          received = total;
          lastProgress = Date.now();
        },
      }, (err) => (err ? reject(err) : resolve())),
    );
    transfer.catch(() => {});
    try {
      await Promise.race([transfer, this.interrupted, stalled]);
    } catch (err) {
      if (this.connectionLost || (!(err instanceof CsvDropError) && CONNECTION_LOST.test(describe(err, this.secrets)))) {
        throw new CsvDropError('internal', `the connection to ${this.server} dropped while downloading ${remote} (${received} of ${expectedSize} bytes): the next run will try again; if this keeps happening, check the network between Rollcall and the server`, { retryable: true });
      }
      if (err instanceof CsvDropError) throw err;
      throw new CsvDropError('internal', `the download of ${this.where(remote)} failed (${received} of ${expectedSize} bytes): the next run will try again`, { retryable: true, technical: describe(err, this.secrets) });
    } finally {
      clearInterval(watchdog);
    }
    const size = fs.statSync(local).size;
    if (size !== expectedSize) {
      throw new CsvDropError('internal', `the download of ${this.where(remote)} was cut short (${size} of ${expectedSize} bytes): the next run will try again`, { retryable: true });
    }
    this.log.debug({ remote, bytes: size, ms: Date.now() - started }, 'sftp download complete');
  }

  /** A small remote file (a manifest) as text. */
  async readText(remote: string): Promise<string> {
    try {
      return await this.guard(readSmall(this.sftp.createReadStream(remote)), `reading ${remote}`);
    } catch (err) {
      if (err instanceof CsvDropError) throw err;
      throw new CsvDropError('internal', `could not read ${this.where(remote)}: the next run will try again`, { retryable: true, technical: describe(err, this.secrets) });
    }
  }

  /**
   * The files and manifest of a remote zip, read from its central directory and its manifest
   * entry only (a few kilobytes, however big the package).
   */
  async summarizeZip(remote: string, size: number): Promise<PackageSummary> {
    const label = this.where(remote);
    const reader = new SftpRangeReader(this.sftp, remote);
    const work = (async () => {
      let zip: yauzl.ZipFile;
      try {
        zip = await yauzl.fromRandomAccessReaderPromise(reader, size, { lazyEntries: true, autoClose: false });
      } catch (err) {
        throw new CsvDropError('invalid_input', `${label} is not a readable zip file: if the district's export is broken, ask them to send it again`, {
          technical: describe(err, this.secrets),
        });
      }
      try {
        const files: string[] = [];
        let manifest: yauzl.Entry | undefined;
        await new Promise<void>((resolve, reject) => {
          zip.on('entry', (e: yauzl.Entry) => {
            const base = path.posix.basename(e.fileName);
            if (!e.fileName.endsWith('/') && base.toLowerCase().endsWith('.csv') && !e.fileName.startsWith('__MACOSX/')) {
              files.push(base);
              if (base === 'manifest.csv') manifest = e;
            }
            zip.readEntry();
          });
          zip.on('end', resolve);
          zip.on('error', reject);
          zip.readEntry();
        });
        const text = manifest ? await readSmall(await zip.openReadStreamPromise(manifest)) : undefined;
        return { files, manifest: text };
      } finally {
        zip.close();
      }
    })();
    try {
      return await this.guard(work, `reading ${remote}`);
    } catch (err) {
      if (err instanceof CsvDropError) throw err;
      throw new CsvDropError('invalid_input', `${label} is not a readable zip file: if the district's export is broken, ask them to send it again`, {
        technical: describe(err, this.secrets),
      });
    }
  }
}

/** yauzl reads a remote zip through SFTP range reads. */
class SftpRangeReader extends yauzl.RandomAccessReader {
  constructor(private readonly sftp: SFTPWrapper, private readonly remote: string) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    if (end <= start) return Readable.from([]);
    return this.sftp.createReadStream(this.remote, { start, end: end - 1 });
  }
}

export const serverName = (c: CsvDropConfig) => `${c.host}${c.port === 22 ? '' : `:${c.port}`}`;

const stopped = () => new CsvDropError('internal', 'the run was stopped before the package was fetched', { retryable: true });

/** What a failed login means for an admin. */
function connectError(err: unknown, c: CsvDropConfig, secrets: Array<string | undefined>): CsvDropError {
  const technical = describe(err, secrets);
  const code = (err as { code?: unknown }).code;
  const at = `${c.host}:${c.port}`;
  if (/authentication methods failed/i.test(technical)) {
    return new CsvDropError('unauthorized', `SFTP login refused for user ${c.username} at ${at}: check the username and password/key`, { technical });
  }
  if (/private ?key|passphrase|decrypt|Unsupported key format/i.test(technical)) {
    return new CsvDropError('invalid_input', `the private key for ${at} could not be read: use an OpenSSH or PEM private key, with its passphrase if it has one`, { technical });
  }
  if (code === 'ECONNREFUSED') {
    return new CsvDropError('internal', `the SFTP server ${at} refused the connection: check the host and port, and that the server is running`, { retryable: true, technical });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new CsvDropError('invalid_input', `the SFTP host name "${c.host}" could not be found: check the host`, { retryable: code === 'EAI_AGAIN', technical });
  }
  if (code === 'ETIMEDOUT' || /timed out/i.test(technical)) {
    return new CsvDropError('internal', `no answer from the SFTP server ${at} within ${c.timeoutSeconds}s: check the host, the port and any firewall between Rollcall and the server`, { retryable: true, technical });
  }
  if (/handshake|kex|algorithm/i.test(technical)) {
    return new CsvDropError('unsupported', `could not agree on encryption with the SFTP server ${at}: the server may be too old; ask its administrator to enable current SSH algorithms`, { technical });
  }
  return new CsvDropError('internal', `could not connect to the SFTP server ${at}: the next run will try again; if this keeps happening, check the host and port`, { retryable: true, technical });
}
