import { randomBytes } from 'node:crypto';
import { oauth1Signature, percentEncode, signatureBaseString, type OAuth1SignatureMethod } from '../../../auth/oauth1.js';
import { bearerTokenAuth, ConnectorError, type AuthProvider, type Clock, type ConnectorHttp } from '../core/index.js';

export type OAuth2Options = {
  /** A client without the connection's auth (the token request carries its own credentials). */
  http: ConnectorHttp;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Extra form fields (Infinite Campus `appName`). */
  params?: Record<string, string>;
  clock: Clock;
};

/** What the token endpoint is called in admin messages and logs. */
export const TOKEN_ENTITY = 'the access token';

/**
 * OAuth 2.0 client credentials: HTTP Basic first and, when the server answers 401 invalid_client,
 * the id and secret in the form body (RFC 6749 §2.3.1 allows both; servers differ). The token is
 * kept until shortly before `expires_in` runs out, and fetched again after a 401 (the core's
 * `bearerTokenAuth` makes concurrent 401s cause one fetch).
 */
export function oauth2ClientCredentials(o: OAuth2Options): AuthProvider & { fetches(): number } {
  let expiresAt = Number.POSITIVE_INFINITY;
  let style: 'basic' | 'body' = 'basic';
  let fetches = 0;

  const requestToken = async (s: 'basic' | 'body'): Promise<string> => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (o.scope) form.set('scope', o.scope);
    for (const [k, v] of Object.entries(o.params ?? {})) form.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (s === 'basic') headers.authorization = `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`;
    else {
      form.set('client_id', o.clientId);
      form.set('client_secret', o.clientSecret);
    }
    fetches++;
    const res = await o.http.request<Record<string, unknown> | null>({ method: 'POST', url: o.tokenUrl, body: form, headers, auth: false, entity: TOKEN_ENTITY, parse: 'json' });
    const token = res.data && typeof res.data === 'object' ? res.data.access_token : undefined;
    if (typeof token !== 'string' || token === '') {
      const u = new URL(o.tokenUrl);
      throw o.http.error({
        entity: TOKEN_ENTITY, status: res.status, attempts: res.attempts, retryable: false, category: 'bad_response',
        adminMessage: `the token URL ${u.host}${u.pathname} answered ${res.status} without an access_token (check the token URL in the connection settings: it must be the OAuth 2 token endpoint of this OneRoster server)`,
        technical: { method: 'POST', url: o.http.redactor.url(res.url), status: res.status, body: res.text.slice(0, 500) },
      });
    }
    const ttl = Number(res.data?.expires_in);
    // Renew a little early (a tenth of the lifetime, at most a minute), so no request goes out on a dying token.
    expiresAt = Number.isFinite(ttl) && ttl > 0 ? o.clock.now() + ttl * 1000 - Math.min(60_000, ttl * 100) : Number.POSITIVE_INFINITY;
    return token;
  };

  const fetchToken = async (): Promise<string> => {
    try {
      return await requestToken(style);
    } catch (err) {
      if (style !== 'basic' || !(err instanceof ConnectorError) || err.status !== 401 || !/invalid_client/i.test(err.technical.vendorCode ?? '')) throw err;
      try {
        const token = await requestToken('body');
        style = 'body';
        return token;
      } catch {
        throw err; // the Basic answer says more about what is wrong
      }
    }
  };

  const bearer = bearerTokenAuth(fetchToken);
  return {
    async authorize(req) {
      const sent = await bearer.authorize(req);
      if (o.clock.now() < expiresAt) return sent;
      await bearer.refresh!(sent);
      return bearer.authorize(req);
    },
    refresh: (sent) => bearer.refresh!(sent),
    secrets: () => [o.clientSecret, ...bearer.secrets()],
    fetches: () => fetches,
  };
}

/**
 * OAuth 1.0a two-legged signing (RFC 5849), as OneRoster 1.0/1.1 servers verify it: every attempt
 * is signed afresh (new nonce and timestamp) over the final URL's query parameters.
 */
export function oauth1Signer(o: {
  consumerKey: string; consumerSecret: string; method: OAuth1SignatureMethod;
  /** Wall-clock milliseconds (servers compare the timestamp with their own clock). */
  now?: () => number;
  /** For fixed test vectors only. */
  nonce?: () => string;
}): AuthProvider {
  const now = o.now ?? Date.now;
  const nonce = o.nonce ?? (() => randomBytes(16).toString('hex'));
  return {
    authorize({ method, url }) {
      const oauth: Record<string, string> = {
        oauth_consumer_key: o.consumerKey,
        oauth_nonce: nonce(),
        oauth_signature_method: o.method,
        oauth_timestamp: String(Math.floor(now() / 1000)),
        oauth_version: '1.0',
      };
      const params: Array<[string, string]> = [...Object.entries(oauth), ...url.searchParams];
      const signature = oauth1Signature(o.method, signatureBaseString(method, url.toString(), params), o.consumerSecret);
      const header = Object.entries({ ...oauth, oauth_signature: signature })
        .map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`)
        .join(', ');
      return { authorization: `OAuth ${header}` };
    },
    secrets: () => [o.consumerSecret],
  };
}
