import type { Knex } from 'knex';

/**
 * What the API needs beyond the roster: access tokens (stored as SHA-256 hashes, so a copy of the
 * database holds no usable token), OAuth 1.0a nonces (kept in the database so replays are refused
 * across processes), admin credentials, each API client's sharing scope, and the indexes of the
 * relationship endpoints.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table api_clients
    add column school_ids text[] collate "C",
    add column share_demographics boolean not null default true,
    add column share_guardians boolean not null default true,
    add column share_user_flags boolean not null default true,
    add column masked_fields text[] not null default '{}',
    add column rate_limit_per_minute integer,
    add column secret_rotated_at timestamptz,
    add column secret_sealed text`);

  await knex.raw(`create table admins (
    admin_id text collate "C" primary key,
    name text not null,
    tenant_id text collate "C" references tenants(id),
    secret_hash text not null,
    disabled boolean not null default false,
    created_at timestamptz not null default now())`);

  await knex.raw(`create table access_tokens (
    token_hash text collate "C" primary key,
    kind text not null check (kind in ('oneroster', 'admin')),
    principal_id text collate "C" not null,
    scopes text[] not null,
    expires_at timestamptz not null,
    created_at timestamptz not null default now())`);
  await knex.raw('create index access_tokens_expiry on access_tokens (expires_at)');
  await knex.raw('create index access_tokens_principal on access_tokens (kind, principal_id)');

  await knex.raw(`create table oauth1_nonces (
    client_id text collate "C" not null,
    nonce text collate "C" not null,
    expires_at timestamptz not null,
    primary key (client_id, nonce))`);
  await knex.raw('create index oauth1_nonces_expiry on oauth1_nonces (expires_at)');

  await knex.raw('create index users_orgs on users using gin (org_sourced_ids)');
  await knex.raw('create index classes_terms on classes using gin (term_sourced_ids)');
  await knex.raw('create index enrollments_school on enrollments (tenant_id, school_sourced_id)');
}

export async function down(knex: Knex): Promise<void> {
  for (const i of ['users_orgs', 'classes_terms', 'enrollments_school']) await knex.raw(`drop index if exists ${i}`);
  for (const t of ['oauth1_nonces', 'access_tokens', 'admins']) await knex.raw(`drop table if exists ${t}`);
  await knex.raw(`alter table api_clients drop column school_ids, drop column share_demographics, drop column share_guardians,
    drop column share_user_flags, drop column masked_fields, drop column rate_limit_per_minute, drop column secret_rotated_at, drop column secret_sealed`);
}
