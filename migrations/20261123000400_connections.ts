import type { Knex } from 'knex';

/**
 * Upstream connections and their sync runs. Credentials are kept sealed (Fernet, the server's key
 * ring); a run stages what it pulls in `sync_stage` (one set per run and entity) before applying
 * it, so entities can be fetched in parallel and applied in reference order, each in one
 * transaction. One running run per connection at a time (a unique partial index).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table connections (
    id text collate "C" primary key,
    tenant_id text collate "C" not null references tenants(id),
    name text not null,
    provider text not null,
    config jsonb not null default '{}',
    credentials_sealed text,
    priority integer not null default 100,
    schedule text,
    tombstone_threshold real not null default 0.1,
    status text not null default 'configured' check (status in ('configured', 'testing', 'success', 'error')),
    last_message text,
    last_tested_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now())`);
  await knex.raw('create index connections_tenant on connections (tenant_id, id)');

  await knex.raw(`create table sync_runs (
    id bigserial primary key,
    connection_id text collate "C" not null references connections(id),
    tenant_id text collate "C" not null,
    kind text not null check (kind in ('full', 'delta')),
    status text not null check (status in ('running', 'success', 'partial', 'failed', 'held')),
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    heartbeat_at timestamptz not null default now(),
    since timestamptz,
    progress jsonb not null default '{}',
    report jsonb)`);
  await knex.raw(`create unique index sync_runs_one_running on sync_runs (connection_id) where status = 'running'`);
  await knex.raw('create index sync_runs_connection on sync_runs (connection_id, id desc)');

  await knex.raw(`create table sync_stage (
    run_id bigint not null,
    entity text not null,
    sid text collate "C" not null,
    status text not null,
    hash text not null,
    data_json json not null,
    refs json not null)`);
  await knex.raw('create index sync_stage_run on sync_stage (run_id, entity)');
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['sync_stage', 'sync_runs', 'connections']) await knex.raw(`drop table if exists ${t}`);
}
