import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export type TokenKind = 'oneroster' | 'admin';

export type IssuedToken = { accessToken: string; expiresAt: Date; scopes: string[] };
export type StoredToken = { kind: TokenKind; principalId: string; scopes: string[]; expiresAt: Date };

/** Tokens are random; the database keeps only their SHA-256, so a copy of it holds no usable token. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Stores a token (as its hash) with its scopes and expiry; now and then sweeps expired ones. */
export async function storeToken(knex: Knex, kind: TokenKind, principalId: string, accessToken: string, scopes: string[], expiresAt: Date): Promise<void> {
  await knex.raw(
    `insert into access_tokens (token_hash, kind, principal_id, scopes, expires_at)
     values (?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?)`,
    [tokenHash(accessToken), kind, principalId, JSON.stringify(scopes), expiresAt.toISOString()],
  );
  // Expired tokens are dead anyway; sweep some now and then so the table stays small.
  if (Math.random() < 0.01) await knex.raw('delete from access_tokens where expires_at < now()');
}

/** Issues an access token for a principal (an API client or an admin), valid for `ttlSeconds`. */
export async function issueToken(knex: Knex, kind: TokenKind, principalId: string, scopes: string[], ttlSeconds: number): Promise<IssuedToken> {
  const accessToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await storeToken(knex, kind, principalId, accessToken, scopes, expiresAt);
  return { accessToken, expiresAt, scopes };
}

/** The unexpired token of that kind, or undefined. Whether its principal is still enabled is the caller's check. */
export async function findToken(knex: Knex, kind: TokenKind, accessToken: string): Promise<StoredToken | undefined> {
  const row = (
    await knex.raw(`select kind, principal_id, scopes, expires_at from access_tokens where token_hash = ? and kind = ? and expires_at > now()`, [
      tokenHash(accessToken),
      kind,
    ])
  ).rows[0];
  return row && { kind: row.kind, principalId: row.principal_id, scopes: row.scopes, expiresAt: row.expires_at };
}

/** Revokes every token of a principal (client disabled, secret rotated). */
export async function revokeTokens(knex: Knex, kind: TokenKind, principalId: string): Promise<void> {
  await knex.raw('delete from access_tokens where kind = ? and principal_id = ?', [kind, principalId]);
}
