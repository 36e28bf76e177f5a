import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FernetError, decryptFernet, encryptFernet, type FernetErrorReason } from '../../src/crypto/fernet.js';
import { KeyRing, SECRET_KEY_FILE, loadKeyRing } from '../../src/crypto/key-ring.js';
import { RollcallError } from '../../src/errors.js';

const VECTORS = path.resolve(import.meta.dirname, '../../../shared/spec/fernet');
const vectorsPresent = fs.existsSync(path.join(VECTORS, 'generate.json'));
const SKIP_MESSAGE = `Fernet spec vectors not found at ${VECTORS} (expected ../shared/spec/fernet next to the repo)`;

type GenerateVector = { token: string; now: string; iv: number[]; src: string; secret: string };
type VerifyVector = { token: string; now: string; ttl_sec: number; src: string; secret: string };
type InvalidVector = { desc: string; token: string; now: string; ttl_sec: number; secret: string };

function vectors<T>(name: string): T[] {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8')) as T[];
}

describe('Fernet spec vectors', () => {
  test('generate.json: exact tokens', (t) => {
    if (!vectorsPresent) return t.skip(SKIP_MESSAGE);
    const cases = vectors<GenerateVector>('generate.json');
    assert.ok(cases.length > 0);
    for (const v of cases) {
      const token = encryptFernet(v.secret, v.src, { now: Date.parse(v.now), iv: Buffer.from(v.iv) });
      assert.equal(token, v.token);
    }
  });

  test('verify.json: exact plaintexts', (t) => {
    if (!vectorsPresent) return t.skip(SKIP_MESSAGE);
    const cases = vectors<VerifyVector>('verify.json');
    assert.ok(cases.length > 0);
    for (const v of cases) {
      const plain = decryptFernet(v.secret, v.token, { now: Date.parse(v.now), ttlSeconds: v.ttl_sec });
      assert.equal(plain.toString('utf8'), v.src);
    }
  });

  test('invalid.json: every token is refused with a FernetError', (t) => {
    if (!vectorsPresent) return t.skip(SKIP_MESSAGE);
    const cases = vectors<InvalidVector>('invalid.json');
    assert.ok(cases.length > 0);
    for (const v of cases) {
      assert.throws(
        () => decryptFernet(v.secret, v.token, { now: Date.parse(v.now), ttlSeconds: v.ttl_sec }),
        (error: unknown) => {
          assert.ok(error instanceof FernetError, `${v.desc}: expected a FernetError, got ${String(error)}`);
          assert.ok(!error.message.includes(v.secret), `${v.desc}: the message must not contain the key`);
          return true;
        },
        v.desc,
      );
    }
  });
});


/**
 * invalid.json as of fernet/spec commit 8a219208ed1884505ff1f638028fd6fcc51aeb5a, with the refusal
 * each must get. Inlined because the copy in ../shared/spec/fernet comes from an older revision whose
 * invalid tokens (HMAC first, no version byte) all fail on length or version before reaching the
 * check their description names, so it does not exercise HMAC, padding, TTL or clock-skew refusals.
 */
const UPSTREAM_INVALID: { desc: string; token: string; now: string; reason: FernetErrorReason }[] = [
  { desc: 'incorrect mac', reason: 'bad_hmac', now: '1985-10-26T01:20:01-07:00', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==' },
  { desc: 'too short', reason: 'too_short', now: '1985-10-26T01:20:01-07:00', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==' },
  { desc: 'invalid base64', reason: 'bad_base64', now: '1985-10-26T01:20:01-07:00', token: '%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==' },
  { desc: 'payload size not multiple of block size', reason: 'bad_length', now: '1985-10-26T01:20:01-07:00', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm' },
  { desc: 'payload padding error', reason: 'bad_padding', now: '1985-10-26T01:20:01-07:00', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==' },
  { desc: 'far-future TS (unacceptable clock skew)', reason: 'future_timestamp', now: '1985-10-26T01:20:01-07:00', token: 'gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==' },
  { desc: 'expired TTL', reason: 'expired', now: '1985-10-26T01:21:31-07:00', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==' },
  { desc: 'incorrect IV (causes padding error)', reason: 'bad_padding', now: '1985-10-26T01:20:01-07:00', token: 'gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==' },
  { desc: 'trailing characters after b64 padding', reason: 'bad_base64', now: '1985-10-26T01:20:01-07:00', token: 'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==trailingdata' },
  { desc: 'invalid characters in b64', reason: 'bad_base64', now: '1985-10-26T01:20:01-07:00', token: '*gAAAAAAdwJ6wAAECAwQFBgcI!CQoLDA0ODy021?cpGVWKZ_eEwC@GM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==' },
  { desc: 'invalid non-urlsafe characters in b64', reason: 'bad_base64', now: '1985-10-26T01:20:01-07:00', token: 'gAAAAAAdwJ6wAAEC/AwQFBgcICQoLDA0ODy+021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==' },
];

test('upstream invalid vectors are refused for the reason they name', () => {
  const secret = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
  for (const v of UPSTREAM_INVALID) {
    assert.throws(() => decryptFernet(secret, v.token, { now: Date.parse(v.now), ttlSeconds: 60 }), { name: 'FernetError', reason: v.reason }, v.desc);
  }
});

/** A token with a correct HMAC over arbitrary fields, to reach the checks after the HMAC. */
function signedToken(key: string, fields: { version?: number; seconds?: number; iv?: Buffer; ciphertext: Buffer }): string {
  const raw = Buffer.from(key, 'base64url');
  const header = Buffer.alloc(25);
  header[0] = fields.version ?? 0x80;
  header.writeBigUInt64BE(BigInt(fields.seconds ?? Math.floor(Date.now() / 1000)), 1);
  (fields.iv ?? Buffer.alloc(16)).copy(header, 9);
  const body = Buffer.concat([header, fields.ciphertext]);
  return Buffer.concat([body, createHmac('sha256', raw.subarray(0, 16)).update(body).digest()]).toString('base64url');
}

describe('Fernet', () => {
  const newKey = () => randomBytes(32).toString('base64url');

  test('round-trips random strings and bytes with random keys', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (text, keyBytes) => {
        const key = Buffer.from(keyBytes).toString('base64url');
        assert.equal(decryptFernet(key, encryptFernet(key, text)).toString('utf8'), text);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const key = newKey();
        assert.deepEqual(decryptFernet(key, encryptFernet(key, Buffer.from(bytes))), Buffer.from(bytes));
      }),
    );
  });

  test('accepts keys in base64url or standard base64, with or without padding', () => {
    const raw = randomBytes(32);
    const spellings = [
      raw.toString('base64url'),
      `${raw.toString('base64url')}=`,
      raw.toString('base64'),
      raw.toString('base64').replace(/=+$/, ''),
    ];
    const token = encryptFernet(spellings[0], 'x');
    for (const key of spellings) assert.equal(decryptFernet(key, token).toString(), 'x');
    for (const bad of ['', 'short', randomBytes(16).toString('base64url'), randomBytes(33).toString('base64url'), `${spellings[0]}!`]) {
      assert.throws(() => encryptFernet(bad, 'x'), FernetError);
    }
  });

  test('tampering with any byte of a token makes it fail', () => {
    const key = newKey();
    const raw = Buffer.from(encryptFernet(key, 'a client secret that is long enough for two blocks'), 'base64url');
    fc.assert(
      fc.property(fc.nat(raw.length - 1), fc.integer({ min: 1, max: 255 }), (index, flip) => {
        const tampered = Buffer.from(raw);
        tampered[index] ^= flip;
        assert.throws(() => decryptFernet(key, tampered.toString('base64url')), FernetError);
      }),
      { numRuns: 500 },
    );
    // and exhaustively, one bit per byte
    for (let i = 0; i < raw.length; i++) {
      const tampered = Buffer.from(raw);
      tampered[i] ^= 1;
      assert.throws(() => decryptFernet(key, tampered.toString('base64url')), FernetError, `byte ${i}`);
    }
  });

  test('each structural refusal, behind a valid HMAC', () => {
    const key = newKey();
    const raw = Buffer.from(key, 'base64url');
    const iv = randomBytes(16);
    const encrypt = (plain: Buffer, autoPadding: boolean) => {
      const cipher = createCipheriv('aes-128-cbc', raw.subarray(16), iv).setAutoPadding(autoPadding);
      return Buffer.concat([cipher.update(plain), cipher.final()]);
    };
    const good = encrypt(Buffer.from('hello'), true);
    assert.equal(decryptFernet(key, signedToken(key, { iv, ciphertext: good })).toString(), 'hello');
    assert.throws(() => decryptFernet(key, signedToken(key, { version: 0x81, iv, ciphertext: good })), { reason: 'bad_version' });
    assert.throws(() => decryptFernet(key, signedToken(key, { iv, ciphertext: Buffer.alloc(0) })), { reason: 'too_short' });
    assert.throws(() => decryptFernet(key, signedToken(key, { iv, ciphertext: good.subarray(0, 15) })), { reason: 'bad_length' });
    const badPadding = encrypt(Buffer.concat([Buffer.from('hello world!'), Buffer.from([1, 2, 3, 17])]), false);
    assert.throws(() => decryptFernet(key, signedToken(key, { iv, ciphertext: badPadding })), { reason: 'bad_padding' });
    assert.throws(() => decryptFernet(key, signedToken(key, { iv, ciphertext: good }).replace(/^g/, 'h')), { reason: 'bad_version' });
  });

  test('ttl and clock skew', () => {
    const key = newKey();
    const sealedAt = Date.parse('2026-01-01T00:00:00Z');
    const token = encryptFernet(key, 'x', { now: sealedAt });
    assert.equal(decryptFernet(key, token, { now: sealedAt + 60_000, ttlSeconds: 60 }).toString(), 'x');
    assert.throws(() => decryptFernet(key, token, { now: sealedAt + 61_000, ttlSeconds: 60 }), { name: 'FernetError', reason: 'expired' });
    assert.equal(decryptFernet(key, token, { now: sealedAt + 10 * 365 * 86_400_000 }).toString(), 'x', 'no ttl: no expiry');
    assert.equal(decryptFernet(key, token, { now: sealedAt - 60_000 }).toString(), 'x');
    assert.throws(() => decryptFernet(key, token, { now: sealedAt - 61_000 }), { name: 'FernetError', reason: 'future_timestamp' });
    assert.equal(decryptFernet(key, token, { now: sealedAt - 86_400_000, maxClockSkewSeconds: Infinity }).toString(), 'x');
  });

  test('error messages never contain the key or the plaintext', () => {
    const key = newKey();
    const token = encryptFernet(key, 'hunter2-plaintext');
    const other = newKey();
    try {
      decryptFernet(other, token);
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof FernetError);
      for (const secret of [key, other, 'hunter2']) assert.ok(!error.message.includes(secret));
    }
  });
});

describe('KeyRing', () => {
  const k1 = KeyRing.generateKey();
  const k2 = KeyRing.generateKey();

  test('generateKey makes distinct 32-byte base64url keys', () => {
    assert.notEqual(k1, k2);
    assert.match(k1, /^[A-Za-z0-9_-]{43}=$/);
    assert.equal(Buffer.from(k1, 'base64url').length, 32);
  });

  test('the first key seals, every key opens, needsReseal tells old tokens', () => {
    const old = KeyRing.fromEnvValue(k1);
    const rotated = KeyRing.fromEnvValue(`${k2}, ${k1}`);
    const byK1 = old.seal('secret one');
    const byK2 = rotated.seal('secret two');

    assert.equal(rotated.open(byK1), 'secret one');
    assert.equal(rotated.needsReseal(byK1), true);
    assert.equal(rotated.open(byK2), 'secret two');
    assert.equal(rotated.needsReseal(byK2), false);
    assert.equal(KeyRing.fromEnvValue(k2).open(byK2), 'secret two');
    assert.equal(rotated.needsReseal(rotated.seal(rotated.open(byK1))), false);
  });

  test('a token no key opens gives the internal error naming ROLLCALL_SECRET_KEY', () => {
    const token = KeyRing.fromEnvValue(k1).seal('s');
    const ring = KeyRing.fromEnvValue(k2);
    for (const call of [() => ring.open(token), () => ring.needsReseal(token), () => ring.open('not a token')]) {
      assert.throws(call, (error: unknown) => {
        assert.ok(error instanceof RollcallError);
        assert.equal(error.kind, 'internal');
        assert.equal(
          error.message,
          'a sealed secret could not be opened with any key in ROLLCALL_SECRET_KEY (was the key changed without keeping the old one?)',
        );
        return true;
      });
    }
  });

  test('a bad key in the list is named by position and not echoed', () => {
    const bad = 'not-a-real-key-but-secret-looking-text';
    assert.throws(
      () => KeyRing.fromEnvValue(`${k1},${bad},${k2}`),
      (error: unknown) => {
        assert.ok(error instanceof RollcallError);
        assert.equal(error.kind, 'invalid_input');
        assert.match(error.message, /ROLLCALL_SECRET_KEY/);
        assert.match(error.message, /key 2 of 3/);
        for (const text of [bad, k1, k2]) {
          assert.ok(!error.message.includes(text));
          assert.ok(!JSON.stringify(error.details).includes(text));
        }
        return true;
      },
    );
    assert.throws(() => KeyRing.fromEnvValue(' , '), { name: 'RollcallError', kind: 'invalid_input', message: /ROLLCALL_SECRET_KEY holds no key/ });
  });

  test('keys stay out of JSON, toString and inspect', async () => {
    const { inspect } = await import('node:util');
    const ring = KeyRing.fromEnvValue(`${k1},${k2}`);
    for (const text of [JSON.stringify({ ring }), String(ring), inspect(ring), inspect({ ring }, { depth: 5 })]) {
      assert.ok(!text.includes(k1) && !text.includes(k2), text);
    }
  });
});

describe('loadKeyRing', () => {
  const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-keyring-'));

  test('embedded without ROLLCALL_SECRET_KEY: creates secret.key (mode 600) once, then reads it', () => {
    const dir = tempDir();
    try {
      const dataDir = path.join(dir, 'data'); // not there yet
      const first = loadKeyRing({ dataDir, embedded: true });
      assert.ok(first);
      const file = path.join(dataDir, SECRET_KEY_FILE);
      const content = fs.readFileSync(file, 'utf8');
      assert.match(content, /^[A-Za-z0-9_-]{43}=\n$/);
      if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(dataDir), [SECRET_KEY_FILE], 'no temporary file left behind');

      const token = first.seal('kept across restarts');
      const second = loadKeyRing({ dataDir, embedded: true, envValue: '' });
      assert.ok(second);
      assert.equal(fs.readFileSync(file, 'utf8'), content, 'the key is not replaced');
      assert.equal(second.open(token), 'kept across restarts');
      assert.equal(second.needsReseal(token), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ROLLCALL_SECRET_KEY wins over secret.key and creates no file', () => {
    const dir = tempDir();
    try {
      const key = KeyRing.generateKey();
      const ring = loadKeyRing({ envValue: key, dataDir: dir, embedded: true });
      assert.equal(KeyRing.fromEnvValue(key).open(ring!.seal('x')), 'x');
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a broken secret.key is reported with its path', () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, SECRET_KEY_FILE), 'garbage\n', { mode: 0o600 });
      assert.throws(() => loadKeyRing({ dataDir: dir, embedded: true }), (error: unknown) => {
        assert.ok(error instanceof RollcallError && error.kind === 'invalid_input');
        assert.ok(error.message.includes(path.join(dir, SECRET_KEY_FILE)) && !error.message.includes('garbage'));
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a server database without ROLLCALL_SECRET_KEY gives undefined', () => {
    const dir = tempDir();
    try {
      assert.equal(loadKeyRing({ embedded: false }), undefined);
      assert.equal(loadKeyRing({ embedded: false, envValue: '', dataDir: dir }), undefined);
      assert.deepEqual(fs.readdirSync(dir), [], 'no secret.key for a server database');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
