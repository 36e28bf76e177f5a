import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import OAuth from 'oauth-1.0a';
import {
  OAUTH1_MAX_AGE_SECONDS,
  OAUTH1_MAX_FUTURE_SECONDS,
  oauth1Signature,
  parseAuthorizationHeader,
  requestParameters,
  signatureBaseString,
  verifyOAuth1,
  type OAuth1Deps,
  type OAuth1Request,
  type OAuth1Result,
} from '../../src/auth/oauth1.js';

describe('RFC 5849 examples', () => {
  test('§3.4.1.1: the signature base string, byte for byte', () => {
    const header = parseAuthorizationHeader(`OAuth realm="Example",
               oauth_consumer_key="9djdj82h48djs9d2",
               oauth_token="kkk9d7dh3k39sjv7",
               oauth_signature_method="HMAC-SHA1",
               oauth_timestamp="137131201",
               oauth_nonce="7d8f3e4a",
               oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`);
    assert.ok(header);
    const url = 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b';
    // The body `c2&a3=2+q`, form-decoded the way the HTTP layer hands it over.
    const body = Object.fromEntries(new URLSearchParams('c2&a3=2+q'));
    assert.equal(
      signatureBaseString('POST', url, requestParameters(url, header, body)),
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
        '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
        'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
        'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
        '9d7dh3k39sjv7',
    );
  });

  test('§3.4.1.2: scheme and host lowercased, default port dropped, other ports kept', () => {
    const uri = (url: string) => signatureBaseString('get', url, []).split('&')[1];
    assert.equal(uri('HTTP://EXAMPLE.COM:80/r%20v/X?id=123'), 'http%3A%2F%2Fexample.com%2Fr%2520v%2FX');
    assert.equal(uri('https://www.example.net:8080/?q=1'), 'https%3A%2F%2Fwww.example.net%3A8080%2F');
    assert.equal(uri('https://Example.net:443'), 'https%3A%2F%2Fexample.net%2F');
    assert.equal(uri('http://example.net:443/a'), 'http%3A%2F%2Fexample.net%3A443%2Fa');
  });

  test('§1.2: the photos request signature (HMAC-SHA1 with a token secret)', () => {
    const authorization = `OAuth realm="Photos",
        oauth_consumer_key="dpf43f3p2l4k3l03",
        oauth_token="nnch734d00sl2jdk",
        oauth_signature_method="HMAC-SHA1",
        oauth_timestamp="137131202",
        oauth_nonce="chapoH",
        oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`;
    const header = parseAuthorizationHeader(authorization)!;
    const url = 'http://photos.example.net/photos?file=vacation.jpg&size=original';
    const base = signatureBaseString('GET', url, requestParameters(url, header));
    assert.equal(oauth1Signature('HMAC-SHA1', base, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00'), header.oauth_signature);
    assert.equal(header.oauth_signature, 'MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });

  test('query parameters: repeated names and empty values are each kept, `+` is a space', () => {
    const url = 'https://h.example/p?a=1&a=&a=0&b&c=x+y&%61=2';
    assert.equal(signatureBaseString('GET', url, requestParameters(url, {})).split('&')[2], 'a%3D%26a%3D0%26a%3D1%26a%3D2%26b%3D%26c%3Dx%2520y');
  });
});

describe('parseAuthorizationHeader', () => {
  test('percent-decodes, tolerates whitespace and unquoted values', () => {
    assert.deepEqual(parseAuthorizationHeader('oauth   realm="A, B" ,oauth_nonce = "a%20b",oauth_timestamp=12 ,  '), {
      realm: 'A, B',
      oauth_nonce: 'a b',
      oauth_timestamp: '12',
    });
    assert.deepEqual(parseAuthorizationHeader('OAuth'), {});
  });
  test('undefined for other schemes and malformed headers', () => {
    for (const h of ['Bearer abc', 'Basic eDp5', 'OAuthx a="b"', 'OAuth a="b" c="d"', 'OAuth a="%ZZ"', 'OAuth a="1", a="2"', 'OAuth a="b']) {
      assert.equal(parseAuthorizationHeader(h), undefined, h);
    }
  });
});

describe('verifyOAuth1 against requests signed by the oauth-1.0a package', () => {
  const KEY = 'sds-consumer';
  const SECRET = 'Sup3r&Secret+value/ü';
  const BASE = 'https://rollcall.example.org/ims/oneroster/v1p1';
  const FILTER = `status='active' AND dateLastModified>'2020-01-01' AND familyName="O'Brien = ok"`;
  const USERS = `${BASE}/users?filter=${encodeURIComponent(FILTER)}&limit=100&fields=sourcedId,givenName`;

  const reasons: string[] = [];
  const signatures: string[] = [];
  const deps = (now?: number): OAuth1Deps & { seen: Set<string> } => {
    const seen = new Set<string>();
    return {
      seen,
      lookupSecret: async (key) => (key === KEY ? SECRET : undefined),
      rememberNonce: async (key, nonce) => !seen.has(`${key} ${nonce}`) && !!seen.add(`${key} ${nonce}`),
      now: now === undefined ? undefined : () => now,
    };
  };
  const verify = async (req: OAuth1Request, d: OAuth1Deps = deps()): Promise<OAuth1Result> => {
    const res = await verifyOAuth1(req, d);
    if (!res.ok) reasons.push(res.reason);
    const sig = req.authorization && parseAuthorizationHeader(req.authorization)?.oauth_signature;
    if (sig) signatures.push(sig);
    return res;
  };
  const sign = (signatureMethod: string, method: string, url: string, opts: { key?: string; data?: Record<string, string> } = {}): OAuth1Request => {
    const hash = signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256';
    const oauth = new OAuth({
      consumer: { key: opts.key ?? KEY, secret: SECRET },
      signature_method: signatureMethod,
      ...(signatureMethod.startsWith('HMAC') && { hash_function: (base: string, key: string) => createHmac(hash, key).update(base).digest('base64') }),
    });
    // A copy: oauth-1.0a adds the query parameters to the `data` it is given.
    const authorization = oauth.toHeader(oauth.authorize({ url, method, data: opts.data && { ...opts.data } })).Authorization;
    return { method, url, authorization, formBody: opts.data };
  };
  const refused = async (req: OAuth1Request, pattern: RegExp, d?: OAuth1Deps) => {
    const res = await verify(req, d);
    assert.equal(res.ok, false);
    assert.match((res as { reason: string }).reason, pattern);
  };

  for (const method of ['HMAC-SHA256', 'HMAC-SHA1']) {
    test(`${method}: a OneRoster filter with spaces, quotes and = verifies`, async () => {
      assert.deepEqual(await verify(sign(method, 'GET', USERS)), { ok: true, consumerKey: KEY });
    });
  }

  test('a form-urlencoded POST body is signed over', async () => {
    const req = sign('HMAC-SHA256', 'POST', `${BASE}/x?a=1`, { data: { note: "it's 2 + 2 = 4", b: '' } });
    assert.deepEqual(await verify(req), { ok: true, consumerKey: KEY });
    await refused({ ...sign('HMAC-SHA256', 'POST', `${BASE}/x?a=1`, { data: { note: 'x' } }), formBody: { note: 'y' } }, /signature does not match/);
  });

  test('the server may see the host in another case and the default port', async () => {
    const req = sign('HMAC-SHA256', 'GET', USERS);
    assert.equal((await verify({ ...req, url: USERS.replace('https://rollcall.example.org', 'https://Rollcall.EXAMPLE.org:443') })).ok, true);
  });

  test('a tampered query parameter, path, host or method fails', async () => {
    const req = sign('HMAC-SHA256', 'GET', USERS);
    await refused({ ...req, url: USERS.replace('limit=100', 'limit=1000') }, /signature does not match for GET https:\/\/rollcall\.example\.org\/ims\/oneroster\/v1p1\/users: check/);
    await refused({ ...req, url: USERS.replace(encodeURIComponent("'active'"), encodeURIComponent("'tobedeleted'")) }, /signature does not match/);
    await refused({ ...req, url: USERS.replace('/users', '/students') }, /signature does not match/);
    await refused({ ...req, url: USERS.replace('https:', 'http:') }, /signature does not match for GET http:/);
    await refused({ ...req, method: 'DELETE' }, /signature does not match for DELETE/);
  });

  test('a replayed nonce fails; a forged request does not use up the nonce', async () => {
    const d = deps();
    const req = sign('HMAC-SHA256', 'GET', USERS);
    await refused({ ...req, url: `${USERS}&x=1` }, /signature does not match/, d);
    assert.equal(d.seen.size, 0);
    assert.equal((await verify(req, d)).ok, true);
    await refused(req, /oauth_nonce was already used/, d);
  });

  test(`timestamps: up to ${OAUTH1_MAX_AGE_SECONDS / 60} min old and ${OAUTH1_MAX_FUTURE_SECONDS / 60} min ahead`, async () => {
    const req = () => sign('HMAC-SHA256', 'GET', USERS);
    const min = 60_000;
    assert.equal((await verify(req(), deps(Date.now() + 9 * min))).ok, true);
    assert.equal((await verify(req(), deps(Date.now() - 4 * min))).ok, true);
    await refused(req(), /oauth_timestamp is 66\d s old \(at most 600 s\): check the client's clock/, deps(Date.now() + 11 * min));
    await refused(req(), /oauth_timestamp is 3[56]\d s in the future \(at most 300 s\)/, deps(Date.now() - 6 * min));
  });

  test('the nonce is remembered until the timestamp itself is too old', async () => {
    let expiry: Date | undefined;
    const d = { ...deps(), rememberNonce: async (_k: string, _n: string, e: Date) => ((expiry = e), true) };
    const req = sign('HMAC-SHA256', 'GET', USERS);
    assert.equal((await verify(req, d)).ok, true);
    const ts = Number(parseAuthorizationHeader(req.authorization!)!.oauth_timestamp);
    assert.equal(expiry?.getTime(), (ts + OAUTH1_MAX_AGE_SECONDS) * 1000);
  });

  test('an unknown consumer key fails without saying more', async () => {
    const res = await verify(sign('HMAC-SHA256', 'GET', USERS, { key: 'nobody' }));
    assert.deepEqual(res, { ok: false, reason: 'unknown consumer key' });
  });

  test('PLAINTEXT and RSA-SHA1 are refused, other versions too', async () => {
    await refused(sign('PLAINTEXT', 'GET', USERS), /signature method "PLAINTEXT" is not accepted: sign with HMAC-SHA256/);
    const ok = sign('HMAC-SHA256', 'GET', USERS);
    await refused({ ...ok, authorization: ok.authorization!.replace('HMAC-SHA256', 'RSA-SHA1') }, /signature method "RSA-SHA1" is not accepted/);
    await refused({ ...ok, authorization: ok.authorization!.replace('oauth_version="1.0"', 'oauth_version="2.0"') }, /oauth_version "2.0" is not supported/);
    const noVersion = { ...ok, authorization: ok.authorization!.replace(/,\s*oauth_version="1.0"/, '') };
    assert.notEqual(noVersion.authorization, ok.authorization);
    await refused(noVersion, /signature does not match/); // oauth_version was signed over
  });

  test('a missing header, a non-OAuth header, missing parameters and bad timestamps fail', async () => {
    await refused({ method: 'GET', url: USERS }, /missing Authorization header/);
    await refused({ method: 'GET', url: USERS, authorization: 'Bearer abc' }, /not a well-formed OAuth 1.0a header/);
    const ok = sign('HMAC-SHA256', 'GET', USERS);
    for (const p of ['oauth_consumer_key', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce']) {
      await refused({ ...ok, authorization: ok.authorization!.replace(new RegExp(`${p}="[^"]*"`), '') }, new RegExp(`^${p} is missing`));
    }
    await refused({ ...ok, authorization: ok.authorization!.replace(/oauth_timestamp="\d+"/, 'oauth_timestamp="1e9"') }, /whole seconds/);
  });

  test('no reason holds the secret or a signature', () => {
    assert.ok(reasons.length >= 20, `${reasons.length} reasons`);
    for (const r of reasons) {
      for (const secret of [SECRET, encodeURIComponent(SECRET), 'Sup3r']) assert.ok(!r.includes(secret), r);
      for (const s of signatures) assert.ok(!r.includes(s) && !r.includes(encodeURIComponent(s)), r);
    }
  });
});
