import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp } from '../../src/api/app.js';
import { createClient } from '../../src/auth/clients.js';
import { loadConfig, type Config } from '../../src/config.js';
import { KeyRing } from '../../src/crypto/key-ring.js';
import type { Logger } from '../../src/log.js';
import type { Database } from '../../src/store/db.js';

export type ApiUnderTest = { url: string; keyRing: KeyRing; close(): Promise<void> };

/** The real app on an ephemeral port over a test database (the caller closes the database). */
export async function startApi(db: Database, opts: { config?: Partial<Config>; log?: Logger } = {}): Promise<ApiUnderTest> {
  const config = { ...loadConfig({}), ...opts.config };
  const keyRing = KeyRing.fromEnvValue(KeyRing.generateKey());
  const app = createApp({ db, config, log: opts.log ?? pino({ level: 'silent' }), keyRing });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    keyRing,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Creates an API client and gets a token with HTTP Basic, as SDS does. */
export async function clientWithToken(
  db: Database, api: ApiUnderTest, tenant: string, extra: Omit<Parameters<typeof createClient>[1], 'tenant' | 'name'> = {}, scope?: string,
): Promise<{ clientId: string; clientSecret: string; token: string }> {
  const { client, clientSecret } = await createClient(db.knex, { tenant, name: 'test client', ...extra }, { keyRing: api.keyRing });
  const token = await requestToken(api.url, client.clientId, clientSecret, scope);
  return { clientId: client.clientId, clientSecret, token };
}

export async function requestToken(url: string, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** GET with a bearer token; the parsed body and the headers. */
export async function get(url: string, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}`, accept: 'application/json' } : { accept: 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}
