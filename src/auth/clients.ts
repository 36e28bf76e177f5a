import type { Knex } from 'knex';
import { z } from 'zod';
import { hashSecret, randomSecret } from './secrets.js';

/** OneRoster scopes a client may be granted (spec/oneroster.md §6). */
export const ALL_SCOPES = [
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
  'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly',
  'https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly',
  'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-demographics.readonly',
] as const;

export const NewClient = z.object({
  tenant: z.string().min(1),
  name: z.string().min(1).max(200),
  scopes: z.array(z.enum(ALL_SCOPES)).min(1).default([...ALL_SCOPES]),
  clientId: z.string().regex(/^[A-Za-z0-9._~-]{8,128}$/, 'client id: 8-128 characters of A-Z a-z 0-9 . _ ~ -').optional(),
  clientSecret: z.string().min(16, 'client secret: at least 16 characters').max(256).optional(),
});

export type ApiClient = { clientId: string; tenant: string; name: string; scopes: string[]; disabled: boolean; createdAt: Date };

/** Creates an API client; the secret is returned this once and stored only as a scrypt hash. */
export async function createClient(knex: Knex, input: z.input<typeof NewClient>): Promise<{ client: ApiClient; clientSecret: string }> {
  const c = NewClient.parse(input);
  const clientId = c.clientId ?? `rc_${randomSecret(12)}`;
  const clientSecret = c.clientSecret ?? randomSecret(32);
  const res = await knex.raw(
    `insert into api_clients (client_id, tenant_id, name, secret_hash, scopes) values (?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)))
     returning client_id, tenant_id, name, scopes, disabled, created_at`,
    [clientId, c.tenant, c.name, await hashSecret(clientSecret), JSON.stringify(c.scopes)],
  );
  return { client: toClient(res.rows[0]), clientSecret };
}

function toClient(r: { client_id: string; tenant_id: string; name: string; scopes: string[]; disabled: boolean; created_at: Date }): ApiClient {
  return { clientId: r.client_id, tenant: r.tenant_id, name: r.name, scopes: r.scopes, disabled: r.disabled, createdAt: r.created_at };
}
