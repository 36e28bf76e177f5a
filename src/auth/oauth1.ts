import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { invalidInput } from '../errors.js';

/**
 * OAuth 1.0a request signatures (RFC 5849), as OneRoster 1.1 consumers send them on the v1p1 base:
 * two-legged (consumer key and secret, no token), HMAC-SHA256 (what OneRoster 1.1 asks for) or
 * HMAC-SHA1 (older consumers), protocol parameters in the `Authorization` header.
 *
 * No OAuth library: the maintained OAuth 1.0a packages on npm are clients (signers), and the
 * server-side verifiers are unmaintained or written for Express 3. Verifying is about 80 lines
 * around node:crypto, and this file is those lines.
 */

/** A request may be signed up to this long ago (its nonce is remembered this long). */
export const OAUTH1_MAX_AGE_SECONDS = 10 * 60;
/** ...and this far in the future (client clocks run fast). */
export const OAUTH1_MAX_FUTURE_SECONDS = 5 * 60;

export type OAuth1SignatureMethod = 'HMAC-SHA256' | 'HMAC-SHA1';
const HASHES = new Map<string, string>([
  ['HMAC-SHA256', 'sha256'],
  ['HMAC-SHA1', 'sha1'],
]);
const REQUIRED = ['oauth_consumer_key', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce'] as const;

/** RFC 5849 §3.6: UTF-8, then every byte outside A-Z a-z 0-9 - . _ ~ as %XX (uppercase hex). */
export function percentEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** RFC 5849 §3.4.1.2: scheme and host lowercased, default port dropped, path as received, no query. */
function baseStringUri(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^/?#@]*@)?([^/?#]*)([^?#]*)/.exec(url);
  if (!m) throw invalidInput('OAuth 1.0a needs the absolute request URL', { url });
  const scheme = m[1].toLowerCase();
  const [, host, port] = /^(.*?)(?::(\d*))?$/.exec(m[2])!;
  const defaultPort = (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
  return `${scheme}://${host.toLowerCase()}${port && !defaultPort ? `:${port}` : ''}${m[3] || '/'}`;
}

/** RFC 5849 §3.4.1: the signature base string of a request. */
export function signatureBaseString(method: string, url: string, params: Array<[string, string]>): string {
  const normalized = params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return [method.toUpperCase(), baseStringUri(url), normalized].map(percentEncode).join('&');
}

/**
 * RFC 5849 §3.4.1.3.1: the parameters a request is signed over: those of the Authorization header
 * but realm and oauth_signature, the query (form-decoded, so `+` is a space; repeated names and
 * empty values kept), and a form-urlencoded body.
 */
export function requestParameters(url: string, header: Record<string, string>, formBody?: Record<string, string | string[]>): Array<[string, string]> {
  const params: Array<[string, string]> = Object.entries(header).filter(([k]) => k !== 'realm' && k !== 'oauth_signature');
  const path = url.split('#')[0];
  const q = path.indexOf('?');
  if (q >= 0) params.push(...new URLSearchParams(path.slice(q + 1)));
  for (const [k, v] of Object.entries(formBody ?? {})) for (const x of Array.isArray(v) ? v : [v]) params.push([k, x]);
  return params;
}

/** RFC 5849 §3.4.2: base64 HMAC keyed by the percent-encoded consumer secret & token secret. */
export function oauth1Signature(method: OAuth1SignatureMethod, baseString: string, consumerSecret: string, tokenSecret = ''): string {
  return createHmac(HASHES.get(method)!, `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`).update(baseString).digest('base64');
}

/**
 * Parses `OAuth realm="…", oauth_consumer_key="…", …` (RFC 5849 §3.5.1) into percent-decoded
 * values. Undefined when it is not an OAuth header, or is malformed (including a repeated name).
 */
export function parseAuthorizationHeader(header: string): Record<string, string> | undefined {
  const m = /^\s*OAuth(?:\s+([\s\S]*))?$/i.exec(header);
  if (!m) return undefined;
  const rest = m[1] ?? '';
  const pair = /[\s,]*([^\s=,"]+)\s*=\s*(?:"([^"]*)"|([^\s,"]*))\s*(?:,|$)/y;
  const out = new Map<string, string>();
  try {
    while (!/^[\s,]*$/.test(rest.slice(pair.lastIndex))) {
      const p = pair.exec(rest);
      if (!p) return undefined;
      const name = decodeURIComponent(p[1]);
      if (out.has(name)) return undefined;
      out.set(name, decodeURIComponent(p[2] ?? p[3]));
    }
  } catch {
    return undefined; // a bad %-escape
  }
  return Object.fromEntries(out);
}

export type OAuth1Request = { method: string; url: string; authorization?: string; formBody?: Record<string, string | string[]> };
export type OAuth1Deps = {
  lookupSecret(consumerKey: string): Promise<string | undefined>;
  /** False when this (consumer, nonce) was already seen. */
  rememberNonce(consumerKey: string, nonce: string, expiresAt: Date): Promise<boolean>;
  now?: () => number;
};
export type OAuth1Result = { ok: true; consumerKey: string } | { ok: false; reason: string };

const fail = (reason: string): OAuth1Result => ({ ok: false, reason });
/** A client-sent value in a reason: quoted and cut short (it is never a secret or a signature). */
const show = (v: string) => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);

/**
 * Verifies a two-legged OAuth 1.0a request. A failure's `reason` is meant for the administrator's
 * log and never holds the secret or the signature.
 */
export async function verifyOAuth1(req: OAuth1Request, deps: OAuth1Deps): Promise<OAuth1Result> {
  if (!req.authorization) return fail('missing Authorization header: OneRoster 1.1 requests must be signed with OAuth 1.0a');
  const oauth = parseAuthorizationHeader(req.authorization);
  if (!oauth) return fail('the Authorization header is not a well-formed OAuth 1.0a header (OAuth oauth_consumer_key="…", …)');
  if (oauth.oauth_version !== undefined && oauth.oauth_version !== '1.0') return fail(`oauth_version ${show(oauth.oauth_version)} is not supported: use 1.0`);
  for (const p of REQUIRED) if (!oauth[p]) return fail(`${p} is missing from the Authorization header`);
  const method = oauth.oauth_signature_method;
  if (!HASHES.has(method)) return fail(`signature method ${show(method)} is not accepted: sign with HMAC-SHA256 (or HMAC-SHA1)`);

  if (!/^\d{1,12}$/.test(oauth.oauth_timestamp)) return fail('oauth_timestamp must be whole seconds since 1970-01-01');
  const timestamp = Number(oauth.oauth_timestamp);
  const skew = (deps.now ?? Date.now)() / 1000 - timestamp;
  if (skew > OAUTH1_MAX_AGE_SECONDS) return fail(`oauth_timestamp is ${Math.round(skew)} s old (at most ${OAUTH1_MAX_AGE_SECONDS} s): check the client's clock`);
  if (-skew > OAUTH1_MAX_FUTURE_SECONDS) return fail(`oauth_timestamp is ${Math.round(-skew)} s in the future (at most ${OAUTH1_MAX_FUTURE_SECONDS} s): check the client's clock`);
  if (oauth.oauth_nonce.length > 255) return fail('oauth_nonce is longer than 255 characters');

  const consumerKey = oauth.oauth_consumer_key;
  const secret = await deps.lookupSecret(consumerKey);
  if (secret === undefined) return fail('unknown consumer key');
  const base = signatureBaseString(req.method, req.url, requestParameters(req.url, oauth, req.formBody));
  const expected = Buffer.from(oauth1Signature(method as OAuth1SignatureMethod, base, secret));
  const given = Buffer.from(oauth.oauth_signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return fail(`signature does not match for ${req.method.toUpperCase()} ${baseStringUri(req.url)}: check the consumer secret, and that the client signs this URL (scheme, host, port, path) with the query and form parameters it sends`);
  }
  // Only now, so a forged request cannot use up a genuine client's nonce.
  if (!(await deps.rememberNonce(consumerKey, oauth.oauth_nonce, new Date((timestamp + OAUTH1_MAX_AGE_SECONDS) * 1000)))) {
    return fail('oauth_nonce was already used: a replayed request, or a client that repeats nonces');
  }
  return { ok: true, consumerKey };
}

/** Nonces in `oauth1_nonces`, so a replay is refused across processes; expired rows are swept now and then. */
export function pgNonceStore(knex: Knex, opts: { sweepChance?: number } = {}): Pick<OAuth1Deps, 'rememberNonce'> {
  const sweepChance = opts.sweepChance ?? 0.01;
  return {
    async rememberNonce(consumerKey, nonce, expiresAt) {
      const res = await knex.raw('insert into oauth1_nonces (client_id, nonce, expires_at) values (?, ?, ?) on conflict do nothing returning nonce', [
        consumerKey,
        nonce,
        expiresAt.toISOString(),
      ]);
      if (Math.random() < sweepChance) await knex.raw('delete from oauth1_nonces where expires_at < now()');
      return res.rows.length === 1;
    },
  };
}
