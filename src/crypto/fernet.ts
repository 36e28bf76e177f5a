import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Fernet (https://github.com/fernet/spec), written here over node:crypto.
 *
 * Why not a package: the `fernet` npm package is unmaintained and pulls in crypto-js (a pure-JS
 * crypto library), while Fernet itself is a thin, fixed construction (AES-128-CBC + HMAC-SHA256
 * with a timestamp) of about 60 lines over node:crypto. This implementation is checked against the
 * spec's own vectors (generate.json, verify.json, invalid.json) in test/unit/fernet.test.ts.
 *
 * Key: 32 bytes, base64url (standard base64 and missing padding are accepted too) = 16-byte signing
 * key ‖ 16-byte encryption key. Token (base64url, padded) = 0x80 ‖ 64-bit big-endian seconds ‖
 * 16-byte IV ‖ AES-128-CBC ciphertext (PKCS#7) ‖ HMAC-SHA256(signing key, everything before it).
 */

export type FernetErrorReason =
  | 'invalid_key'
  | 'invalid_argument'
  | 'bad_base64'
  | 'too_short'
  | 'bad_version'
  | 'bad_length'
  | 'bad_hmac'
  | 'bad_padding'
  | 'expired'
  | 'future_timestamp';

/** Any refusal by Fernet. Its message never contains a key, a token's content or a plaintext. */
export class FernetError extends Error {
  readonly reason: FernetErrorReason;
  constructor(reason: FernetErrorReason, message: string) {
    super(message);
    this.name = 'FernetError';
    this.reason = reason;
  }
}

const VERSION = 0x80;
const HEADER = 1 + 8 + 16; // version, timestamp, IV
const HMAC_LENGTH = 32;
const BLOCK = 16;

/**
 * Strict decoding (Buffer.from(…, 'base64') silently skips bad characters): base64url, or for keys
 * also standard base64; padding optional but, when present, right.
 */
function decodeBase64(text: string, alphabet: 'url' | 'any'): Buffer | undefined {
  const match = (alphabet === 'url' ? /^([A-Za-z0-9_-]*)(={0,2})$/ : /^([A-Za-z0-9+/_-]*)(={0,2})$/).exec(text);
  if (!match) return undefined;
  const [, body, padding] = match;
  if (body.length % 4 === 1) return undefined;
  if (padding.length > 0 && (body.length + padding.length) % 4 !== 0) return undefined;
  return Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function splitKey(key: string): { signing: Buffer; encryption: Buffer } {
  const bytes = typeof key === 'string' ? decodeBase64(key.trim(), 'any') : undefined;
  if (!bytes || bytes.length !== 32) throw new FernetError('invalid_key', 'a Fernet key must be 32 bytes in base64url');
  return { signing: bytes.subarray(0, 16), encryption: bytes.subarray(16) };
}

/** Throws FernetError('invalid_key') unless `key` is a usable Fernet key. */
export function assertFernetKey(key: string): void {
  splitKey(key);
}

/** Seals `plaintext` (a string is encoded as UTF-8) under `key`, stamped with `now` (ms, default the clock). */
export function encryptFernet(key: string, plaintext: string | Buffer, opts: { now?: number; iv?: Buffer } = {}): string {
  const { signing, encryption } = splitKey(key);
  const iv = opts.iv ?? randomBytes(16);
  if (iv.length !== 16) throw new FernetError('invalid_argument', 'a Fernet IV must be 16 bytes');
  const seconds = Math.floor((opts.now ?? Date.now()) / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new FernetError('invalid_argument', 'a Fernet timestamp must be a time after 1970');

  const header = Buffer.alloc(HEADER);
  header[0] = VERSION;
  header.writeBigUInt64BE(BigInt(seconds), 1);
  iv.copy(header, 9);
  const cipher = createCipheriv('aes-128-cbc', encryption, iv);
  const body = Buffer.concat([header, cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  const hmac = createHmac('sha256', signing).update(body).digest();
  const token = Buffer.concat([body, hmac]).toString('base64url');
  return token + '='.repeat((4 - (token.length % 4)) % 4);
}

/**
 * Opens a Fernet token. `ttlSeconds` (absent: no expiry) refuses tokens older than that at `now`
 * (ms, default the clock); a token stamped more than `maxClockSkewSeconds` (default 60, Infinity to
 * disable) after `now` is refused too.
 */
export function decryptFernet(
  key: string,
  token: string,
  opts: { now?: number; ttlSeconds?: number; maxClockSkewSeconds?: number } = {},
): Buffer {
  const { signing, encryption } = splitKey(key);
  const data = typeof token === 'string' ? decodeBase64(token, 'url') : undefined;
  if (!data) throw new FernetError('bad_base64', 'the Fernet token is not valid base64url');
  const cipherLength = data.length - HEADER - HMAC_LENGTH;
  if (cipherLength < 0) throw new FernetError('too_short', 'the Fernet token is too short');
  if (data[0] !== VERSION) throw new FernetError('bad_version', 'the Fernet token has an unknown version');
  if (cipherLength % BLOCK !== 0) throw new FernetError('bad_length', 'the Fernet ciphertext is not a whole number of blocks');
  if (cipherLength === 0) throw new FernetError('too_short', 'the Fernet token has no ciphertext');

  const body = data.subarray(0, data.length - HMAC_LENGTH);
  const expected = createHmac('sha256', signing).update(body).digest();
  if (!timingSafeEqual(expected, data.subarray(data.length - HMAC_LENGTH))) {
    throw new FernetError('bad_hmac', 'the Fernet token does not match the key (wrong key or altered token)');
  }

  const stamped = data.readBigUInt64BE(1);
  const now = BigInt(Math.floor((opts.now ?? Date.now()) / 1000));
  const skew = opts.maxClockSkewSeconds ?? 60;
  if (Number.isFinite(skew) && stamped > now + BigInt(Math.floor(skew))) {
    throw new FernetError('future_timestamp', 'the Fernet token is stamped too far in the future');
  }
  const ttl = opts.ttlSeconds;
  if (ttl !== undefined && Number.isFinite(ttl) && stamped + BigInt(Math.floor(ttl)) < now) {
    throw new FernetError('expired', 'the Fernet token has expired');
  }

  const decipher = createDecipheriv('aes-128-cbc', encryption, data.subarray(9, HEADER));
  try {
    return Buffer.concat([decipher.update(body.subarray(HEADER)), decipher.final()]);
  } catch {
    throw new FernetError('bad_padding', 'the Fernet ciphertext has bad padding');
  }
}
