import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { SqlFragment } from '../query/compile-filter.js';
import { canCopy } from './copy-rows.js';

/**
 * Statements prepared on one connection at most. A users page's statement holds 0.5 MB (1.1) to
 * 0.8 MB (1.2) of the Postgres backend's memory (its parse tree and plan; 1.6 MB before GUIDRefs
 * were compacted, ADR 0007); node-postgres cannot forget a statement it has prepared, so past this
 * number a connection runs new ones as before.
 */
export const MAX_PREPARED_PER_CONNECTION = 16;

const preparedOn = new WeakMap<object, Set<string>>();

/**
 * The rows of `query`, run in `trx` as a named prepared statement with a generic plan: Postgres
 * parses and plans it once per connection, not for every page. A page that renders its records in
 * SQL is a long statement (then 30,000 characters for users, 7,600 since 2026-12-07), and parsing
 * and planning it took 10-20 ms of each page (7-16 ms of planning, 2-6 of parsing), a third of an
 * enrollments page.
 *
 * Only for queries whose best plan does not depend on their parameters' values: the pager's walks
 * of the sort order (a plan chosen without the values walks the same index) and its rendering of
 * rows at given addresses. Finding a selective query's rows, such as a delta's by
 * dateLastModified, needs the values to choose its index and is not run here. The statement is
 * named by a hash of its text, so the same text finds its statement again.
 * On PGlite (no named statements through knex) and past MAX_PREPARED_PER_CONNECTION, the query
 * runs as a plain one.
 */
export async function preparedRows<T>(trx: Knex.Transaction, query: SqlFragment): Promise<T[]> {
  const raw = trx.raw(query.sql, query.bindings as Knex.RawBinding[]);
  if (!canCopy(trx)) return (await raw).rows;
  const native = raw.toSQL().toNative();
  const name = `rollcall_${createHash('sha256').update(native.sql).digest('base64url').slice(0, 40)}`;
  const conn = (await trx.client.acquireConnection()) as pg.PoolClient;
  const names = preparedOn.get(conn) ?? new Set<string>();
  preparedOn.set(conn, names);
  if (!names.has(name) && names.size >= MAX_PREPARED_PER_CONNECTION) return (await raw).rows;
  names.add(name);
  await trx.raw(`set local plan_cache_mode = force_generic_plan`);
  const res = await conn.query({ name, text: native.sql, values: native.bindings as unknown[] });
  await trx.raw(`set local plan_cache_mode to default`);
  return res.rows;
}
