import type { Knex } from 'knex';

/**
 * The roster store. Every entity table has the same spine:
 *   tenant_id, sourced_id   the key (collation "C": byte order = Unicode code point order, fast and stable)
 *   status                  'active' | 'tobedeleted' (deletions are tombstones, never row deletes)
 *   date_last_modified      assigned by the store; moves only when content_hash or status changes
 *   content_hash            hash of `data` (the canonical 1.2-superset record)
 *   source                  who wrote the record (a CSV import source or a connection), for deletion sweeps
 *   data                    the canonical record without sourcedId/status/dateLastModified; GUIDRefs as {sourcedId,type}
 * plus a few columns extracted from `data` for the indexes the API's endpoints need.
 */
const spine = `
  tenant_id text collate "C" not null references tenants(id),
  sourced_id text collate "C" not null,
  status text not null check (status in ('active', 'tobedeleted')),
  date_last_modified timestamptz(3) not null,
  content_hash text not null,
  source text not null,
  data jsonb not null`;

const entityTables: Array<{ table: string; extra: string; indexes: string[] }> = [
  { table: 'orgs', extra: 'type text not null, parent_sourced_id text collate "C"', indexes: ['type, sourced_id', 'parent_sourced_id'] },
  {
    table: 'academic_sessions',
    extra: 'type text not null, parent_sourced_id text collate "C"',
    indexes: ['type, sourced_id', 'parent_sourced_id'],
  },
  { table: 'courses', extra: 'org_sourced_id text collate "C"', indexes: ['org_sourced_id'] },
  {
    table: 'classes',
    extra: 'course_sourced_id text collate "C", school_sourced_id text collate "C", term_sourced_ids text[] collate "C"',
    indexes: ['course_sourced_id', 'school_sourced_id'],
  },
  { table: 'users', extra: 'role text not null, org_sourced_ids text[] collate "C"', indexes: ['role, sourced_id'] },
  {
    table: 'enrollments',
    extra: 'class_sourced_id text collate "C" not null, user_sourced_id text collate "C" not null, school_sourced_id text collate "C" not null, role text not null',
    indexes: ['class_sourced_id', 'user_sourced_id'],
  },
  { table: 'demographics', extra: '', indexes: [] },
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table tenants (
    id text collate "C" primary key check (id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
    name text not null,
    created_at timestamptz not null default now())`);

  for (const { table, extra, indexes } of entityTables) {
    await knex.raw(`create table ${table} (${spine}${extra ? `,\n  ${extra}` : ''},\n  primary key (tenant_id, sourced_id))`);
    await knex.raw(`create index ${table}_modified on ${table} (tenant_id, date_last_modified)`);
    // Tombstones are few; a partial index finds them without taxing every write.
    await knex.raw(`create index ${table}_tombstones on ${table} (tenant_id, sourced_id) where status = 'tobedeleted'`);
    for (const cols of indexes) {
      const name = `${table}_${cols.split(',')[0].trim().replace('_sourced_id', '')}`;
      await knex.raw(`create index ${name} on ${table} (tenant_id, ${cols})`);
    }
  }

  await knex.raw(`create table import_runs (
    id bigserial primary key,
    tenant_id text collate "C" not null references tenants(id),
    source text not null,
    origin text not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    outcome text not null check (outcome in ('running', 'succeeded', 'partial', 'failed')),
    report jsonb)`);
  await knex.raw('create index import_runs_tenant on import_runs (tenant_id, started_at desc)');

  await knex.raw(`create table api_clients (
    client_id text collate "C" primary key,
    tenant_id text collate "C" not null references tenants(id),
    name text not null,
    secret_hash text not null,
    scopes text[] not null,
    disabled boolean not null default false,
    created_at timestamptz not null default now())`);
  await knex.raw('create index api_clients_tenant on api_clients (tenant_id, client_id)');
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['api_clients', 'import_runs', ...entityTables.map((e) => e.table).reverse(), 'tenants']) {
    await knex.raw(`drop table if exists ${t}`);
  }
}
