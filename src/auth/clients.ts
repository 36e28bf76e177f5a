import type { Knex } from 'knex';
import { z } from 'zod';
import type { KeyRing } from '../crypto/key-ring.js';
import { RollcallError, conflict, invalidInput } from '../errors.js';
import { parseInput } from './input.js';
import { requireTenant } from './require-tenant.js';
import { hashSecret, randomSecret } from './secrets.js';
import { Sharing, sharingOf, type SharingRow } from './sharing.js';
import { revokeTokens } from './tokens.js';

/** OneRoster scopes a client may be granted (spec/oneroster.md §6). */
export const ALL_SCOPES = [
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
  'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly',
  'https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly',
  'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-demographics.readonly',
] as const;

/** Short scope names (CLI, admin API) and the scope URIs of both versions each stands for. */
const SHORT_SCOPES: Record<string, string> = { core: 'roster-core', roster: 'roster', demographics: 'roster-demographics' };

/** Expands short names (core, roster, demographics) to their v1p1 and v1p2 URIs; anything else passes through. */
export function expandScopes(scopes: string[]): string[] {
  const out = scopes.flatMap((s) => {
    const short = SHORT_SCOPES[s.trim()];
    return short ? ['v1p1', 'v1p2'].map((v) => `https://purl.imsglobal.org/spec/or/${v}/scope/${short}.readonly`) : [s.trim()];
  });
  return [...new Set(out)];
}

export const NewClient = z.object({
  tenant: z.string().min(1),
  name: z.string().min(1).max(200),
  scopes: z
    .array(z.enum(ALL_SCOPES, { error: (i) => `unknown scope ${JSON.stringify(i.input)}: use core, roster, demographics or a OneRoster scope URI` }))
    .min(1)
    .default([...ALL_SCOPES]),
  clientId: z.string().regex(/^[A-Za-z0-9._~-]{8,128}$/, 'client id: 8-128 characters of A-Z a-z 0-9 . _ ~ -').optional(),
  clientSecret: z.string().min(16, 'client secret: at least 16 characters').max(256).optional(),
});

const RateLimit = z.number().int().min(1).max(1_000_000).nullable();

export type ApiClient = {
  clientId: string;
  tenant: string;
  name: string;
  scopes: string[];
  disabled: boolean;
  createdAt: Date;
  secretRotatedAt: Date | null;
  sharing: Sharing;
  /** Requests per minute; null = the server's default (ROLLCALL_RATE_LIMIT). */
  rateLimitPerMinute: number | null;
};

/** Every column but secret_hash and secret_sealed: nothing here ever returns a stored secret. */
const COLUMNS = `client_id, tenant_id, name, scopes, disabled, created_at, secret_rotated_at,
  school_ids, share_demographics, share_guardians, share_user_flags, masked_fields, rate_limit_per_minute`;

type ClientRow = SharingRow & {
  client_id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  disabled: boolean;
  created_at: Date;
  secret_rotated_at: Date | null;
  rate_limit_per_minute: number | null;
};

/** What createClient takes: scopes may be URIs or the short names core, roster, demographics. */
export type NewClientInput = Omit<z.input<typeof NewClient>, 'scopes'> & { scopes?: string[] };

/**
 * How a secret is kept: always as a scrypt hash; with a key ring also sealed (Fernet), so OAuth 1.0a
 * signatures can be checked. Without a key ring the client cannot sign OAuth 1.0a requests.
 */
export type SecretStorage = { keyRing?: KeyRing };

/** Creates an API client; the secret is returned this once and stored as a scrypt hash (and sealed, given a key ring). */
export async function createClient(knex: Knex, input: NewClientInput, storage: SecretStorage = {}): Promise<{ client: ApiClient; clientSecret: string }> {
  const c = parseInput(NewClient, { ...input, scopes: input.scopes && expandScopes(input.scopes) }, 'client');
  await requireTenant(knex, c.tenant);
  const clientId = c.clientId ?? `rc_${randomSecret(12)}`;
  const clientSecret = c.clientSecret ?? randomSecret(32);
  const res = await knex.raw(
    `insert into api_clients (client_id, tenant_id, name, secret_hash, secret_sealed, scopes)
     values (?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)))
     on conflict (client_id) do nothing returning ${COLUMNS}`,
    [clientId, c.tenant, c.name, await hashSecret(clientSecret), sealed(storage, clientSecret), JSON.stringify(c.scopes)],
  );
  if (res.rows.length === 0) throw conflict(`an API client with id "${clientId}" already exists`, { clientId });
  return { client: toClient(res.rows[0]), clientSecret };
}

/** Every client, or a tenant's, ordered by tenant and id. */
export async function listClients(knex: Knex, tenant?: string): Promise<ApiClient[]> {
  const res = tenant
    ? await knex.raw(`select ${COLUMNS} from api_clients where tenant_id = ? order by client_id`, [tenant])
    : await knex.raw(`select ${COLUMNS} from api_clients order by tenant_id, client_id`);
  return res.rows.map(toClient);
}

export async function getClient(knex: Knex, clientId: string): Promise<ApiClient> {
  const res = await knex.raw(`select ${COLUMNS} from api_clients where client_id = ?`, [clientId]);
  return toClient(res.rows[0] ?? notFound(clientId));
}

/** Disables a client and revokes its tokens at once. */
export function disableClient(knex: Knex, clientId: string): Promise<ApiClient> {
  return knex.transaction(async (trx) => {
    const client = await update(trx, clientId, 'disabled = true', []);
    await revokeTokens(trx, 'oneroster', clientId);
    return client;
  });
}

export function enableClient(knex: Knex, clientId: string): Promise<ApiClient> {
  return update(knex, clientId, 'disabled = false', []);
}

/**
 * Replaces a client's secret (returned this once) and revokes the tokens issued under the old one.
 * The sealed copy is replaced too (or dropped without a key ring), so the old secret signs nothing.
 */
export async function rotateSecret(knex: Knex, clientId: string, storage: SecretStorage = {}): Promise<{ client: ApiClient; clientSecret: string }> {
  const clientSecret = randomSecret(32);
  const hash = await hashSecret(clientSecret);
  return knex.transaction(async (trx) => {
    const client = await update(trx, clientId, 'secret_hash = ?, secret_sealed = ?, secret_rotated_at = now()', [hash, sealed(storage, clientSecret)]);
    await revokeTokens(trx, 'oneroster', clientId);
    return { client, clientSecret };
  });
}

/** Replaces what a client may see; every school must be a school org of the client's tenant. */
export async function setSharing(knex: Knex, clientId: string, sharing: z.input<typeof Sharing>): Promise<ApiClient> {
  const s = parseInput(Sharing, sharing, 'sharing');
  const schools = s.schools && [...new Set(s.schools)];
  const { tenant } = await getClient(knex, clientId);
  if (schools) await requireSchools(knex, tenant, schools);
  const schoolSql = schools ? 'array(select jsonb_array_elements_text(?::jsonb))' : '?::text[]';
  return update(
    knex,
    clientId,
    `school_ids = ${schoolSql}, share_demographics = ?, share_guardians = ?, share_user_flags = ?,
     masked_fields = array(select jsonb_array_elements_text(?::jsonb))`,
    [schools ? JSON.stringify(schools) : null, s.demographics, s.guardians, s.userFlags, JSON.stringify([...new Set(s.maskedFields)])],
  );
}

/** Sets a client's own rate limit (requests per minute); null returns it to the server's default. */
export function setRateLimit(knex: Knex, clientId: string, perMinute: number | null): Promise<ApiClient> {
  const n = parseInput(RateLimit, perMinute, 'rate limit (requests per minute, a whole number from 1 to 1000000, or null)');
  return update(knex, clientId, 'rate_limit_per_minute = ?', [n]);
}

async function requireSchools(knex: Knex, tenant: string, schools: string[]): Promise<void> {
  if (schools.length === 0) return;
  const res = await knex.raw(
    `select sourced_id from orgs where tenant_id = ? and type = 'school' and sourced_id in (select jsonb_array_elements_text(?::jsonb))`,
    [tenant, JSON.stringify(schools)],
  );
  const known = new Set(res.rows.map((r: { sourced_id: string }) => r.sourced_id));
  const unknown = schools.filter((s) => !known.has(s));
  if (unknown.length > 0) {
    throw invalidInput(`not schools of tenant "${tenant}": ${unknown.join(', ')}`, { tenant, unknownSchools: unknown });
  }
}

async function update(knex: Knex, clientId: string, set: string, bindings: unknown[]): Promise<ApiClient> {
  const res = await knex.raw(`update api_clients set ${set} where client_id = ? returning ${COLUMNS}`, [...bindings, clientId] as Knex.RawBinding[]);
  return toClient(res.rows[0] ?? notFound(clientId));
}

const sealed = (storage: SecretStorage, secret: string) => storage.keyRing?.seal(secret) ?? null;

function notFound(clientId: string): never {
  throw new RollcallError('not_found', `no API client with id "${clientId}"`, { clientId });
}

function toClient(r: ClientRow): ApiClient {
  return {
    clientId: r.client_id,
    tenant: r.tenant_id,
    name: r.name,
    scopes: r.scopes,
    disabled: r.disabled,
    createdAt: r.created_at,
    secretRotatedAt: r.secret_rotated_at,
    sharing: sharingOf(r),
    rateLimitPerMinute: r.rate_limit_per_minute,
  };
}
