import type { Knex } from 'knex';
import * as rosterStore from '../../migrations/20261123000100_roster_store.js';
import * as tenantDataVersion from '../../migrations/20261123000200_tenant_data_version.js';
import * as apiAccess from '../../migrations/20261123000300_api_access.js';
import * as connections from '../../migrations/20261123000400_connections.js';
import * as renderFunctions from '../../migrations/20261205000100_render_functions.js';
import * as entityTenantChecks from '../../migrations/20261206000100_entity_tenant_checks.js';
import * as noRecordJsonStatistics from '../../migrations/20261206000200_no_record_json_statistics.js';
import * as guidRefFunction from '../../migrations/20261207000100_guid_ref_function.js';
import * as indexKeysThatSortFast from '../../migrations/20261207000200_index_keys_that_sort_fast.js';
import type { Database } from './db.js';

type Migration = { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> };

/** Listed explicitly so the same migrations run from source (tsx) and from a compiled build. */
const MIGRATIONS: Array<[string, Migration]> = [
  ['20261123000100_roster_store', rosterStore],
  ['20261123000200_tenant_data_version', tenantDataVersion],
  ['20261123000300_api_access', apiAccess],
  ['20261123000400_connections', connections],
  ['20261205000100_render_functions', renderFunctions],
  ['20261206000100_entity_tenant_checks', entityTenantChecks],
  ['20261206000200_no_record_json_statistics', noRecordJsonStatistics],
  ['20261207000100_guid_ref_function', guidRefFunction],
  ['20261207000200_index_keys_that_sort_fast', indexKeysThatSortFast],
];

const source: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: ([name]) => name,
  getMigration: async ([, m]) => m,
};

/** A fixed key for a Postgres advisory lock, so concurrent starters migrate one at a time. */
const MIGRATION_LOCK_KEY = 727_165_001;

/** Applies all pending migrations; returns the names applied. */
export async function migrate(db: Database): Promise<string[]> {
  const run = async () => {
    const [, applied] = (await db.knex.migrate.latest({ migrationSource: source })) as [number, string[]];
    return applied;
  };
  if (db.engine === 'pglite') return run(); // one owner process, one connection
  const conn = await db.knex.client.acquireConnection();
  try {
    await conn.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await run();
  } finally {
    await conn.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await db.knex.client.releaseConnection(conn);
  }
}
