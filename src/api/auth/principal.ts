import type { Knex } from 'knex';
import { sharingOf, type Sharing, type SharingRow } from '../../auth/sharing.js';
import { tokenHash } from '../../auth/tokens.js';

/** Who is calling the OneRoster API: an enabled API client of one tenant, with its granted scopes and sharing scope. */
export type Principal = {
  clientId: string;
  tenant: string;
  scopes: string[];
  sharing: Sharing;
  rateLimitPerMinute: number | null;
};

type ClientRow = SharingRow & { client_id: string; tenant_id: string; scopes: string[]; rate_limit_per_minute: number | null };

const CLIENT_COLUMNS = `c.client_id, c.tenant_id, c.school_ids, c.share_demographics, c.share_guardians, c.share_user_flags,
  c.masked_fields, c.rate_limit_per_minute`;

const toPrincipal = (row: ClientRow, scopes: string[]): Principal => ({
  clientId: row.client_id, tenant: row.tenant_id, scopes, sharing: sharingOf(row), rateLimitPerMinute: row.rate_limit_per_minute,
});

/** The caller behind a bearer token: the token must be unexpired and its client enabled (checked on every request). */
export async function principalForToken(knex: Knex, accessToken: string): Promise<Principal | undefined> {
  const row = (
    await knex.raw(
      `select ${CLIENT_COLUMNS}, t.scopes from access_tokens t join api_clients c on c.client_id = t.principal_id
        where t.token_hash = ? and t.kind = 'oneroster' and t.expires_at > now() and not c.disabled`,
      [tokenHash(accessToken)],
    )
  ).rows[0] as (ClientRow & { scopes: string[] }) | undefined;
  return row && toPrincipal(row, row.scopes);
}

/** The caller of an OAuth 1.0a-signed request (already verified): every scope the client was granted. */
export async function principalForClient(knex: Knex, clientId: string): Promise<Principal | undefined> {
  const row = (await knex.raw(`select ${CLIENT_COLUMNS}, c.scopes from api_clients c where c.client_id = ? and not c.disabled`, [clientId])).rows[0] as
    | ClientRow
    | undefined;
  return row && toPrincipal(row, row.scopes);
}
