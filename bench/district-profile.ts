// Where a page's time goes, for the district benchmark (npm run bench): in its own process, straight
// on the imported store (no HTTP), for the first, middle and last page of each collection of the
// SDS pull (filter=status='active', limit=5000, OneRoster 1.1) and for the delta queries:
//   - the database's own execution time (EXPLAIN ANALYZE) of the count, the first page (OFFSET 0)
//     and the later pages (seek past the previous page's last sourcedId, as the pager does);
//   - the same queries timed from Node through knex and pg (adds transfer and row parsing);
//   - the page rendered to OneRoster JSON by the database, as the API does it (src/api/render): its
//     execution time, the query from Node, and writing the response body around the records.
// Delta pages are measured as the pager reads a selective query: its matches first, by address.
// Timings are the best of several runs, since the machine may be shared.
// Prints one JSON line.
//   node --import tsx bench/district-profile.ts <postgres-url | pglite-dir> <delta-since-iso> [limit]
import { collectionBody } from '../src/api/render/page-body.js';
import { renderRecordSql } from '../src/api/render/render-sql.js';
import { SHARE_EVERYTHING } from '../src/auth/sharing.js';
import { ENTITIES, type EntityName } from '../src/model/entities.js';
import { buildCollectionQuery, orderOf, whereOf, type CollectionQuery } from '../src/query/build-select.js';
import { readCollectionParams } from '../src/query/collection-params.js';
import { matchesFirst, renderedAt, renderedPage, type Found } from '../src/query/pager.js';
import type { SqlFragment } from '../src/query/compile-filter.js';
import { openDatabase } from '../src/store/db.js';
import { preparedRows } from '../src/store/prepared-rows.js';
import type { Knex } from 'knex';

const [target, since, limitArg] = process.argv.slice(2);
const limit = Number(limitArg ?? 5000);
const tenant = 'bench';
const db = target.startsWith('postgres') ? await openDatabase({ databaseUrl: target }) : await openDatabase({ dataDir: target, command: 'bench' });
const knex = db.knex;

const ms = (t: number) => Math.round((performance.now() - t) * 10) / 10;
type Sql = SqlFragment;

/** Best of `n` timed runs of a query from Node (the first run warms the cache and is dropped; the machine is shared). */
async function timed(q: Sql, n = 3, on: Knex = knex): Promise<{ ms: number; rows: any[] }> {
  let rows: any[] = [];
  const times: number[] = [];
  for (let i = 0; i <= n; i++) {
    const t = performance.now();
    rows = (await on.raw(q.sql, q.bindings as any[])).rows;
    if (i > 0) times.push(ms(t));
  }
  return { ms: Math.min(...times), rows };
}

/** EXPLAIN (ANALYZE, BUFFERS): the execution time and the plan as text. */
async function explain(q: Sql, on: Knex = knex): Promise<{ executionMs: number; plan: string }> {
  const rows = (await on.raw(`explain (analyze, buffers) ${q.sql}`, q.bindings as any[])).rows as Array<Record<string, string>>;
  const lines = rows.map((r) => Object.values(r)[0]);
  const exec = lines.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)).find(Boolean);
  return { executionMs: exec ? Number(exec[1]) : NaN, plan: lines.join('\n') };
}

function query(entity: EntityName, filter: string, offset = 0): CollectionQuery {
  return { entity, version: '1.1', tenant, scope: [], params: readCollectionParams({ filter, limit: String(limit), offset: String(offset) }, entity, '1.1') };
}

/** The page after `afterId`, as the pager's seek builds it for the default order (by sourcedId). */
function seekSql(q: CollectionQuery, afterId: string): Sql {
  const where = whereOf(q);
  const order = orderOf(q);
  return {
    sql: `select r.* from ${ENTITIES[q.entity].table} r
          where ${where.sql} and r.sourced_id > ? order by ${order.sql} limit ?`,
    bindings: [...where.bindings, afterId, ...order.bindings, String(limit)],
  };
}

const baseUrl = 'http://127.0.0.1:8080/ims/oneroster/v1p1';

/**
 * The API's rendering of one page: the page query wrapped as the pager wraps it (or the rows at the
 * addresses a selective query found), each record rendered by the database (its execution time,
 * and the query from Node as the pager runs it: a prepared statement with a generic plan), then
 * the response body written around the records. Best of several runs.
 */
async function rendered(key: string, sql: Sql, on: Knex.Transaction) {
  const node = { ms: Infinity, rows: [] as any[] };
  for (let i = 0; i <= 3; i++) {
    const t = performance.now();
    node.rows = await preparedRows(on, sql);
    if (i > 0) node.ms = Math.min(node.ms, ms(t));
  }
  const plan = await explain(sql, on);
  let bodyMs = Infinity;
  let bytes = 0;
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    const body = collectionBody(key, node.rows);
    bodyMs = Math.min(bodyMs, performance.now() - t);
    bytes = Buffer.byteLength(body);
  }
  return { renderedDbExecutionMs: plan.executionMs, renderedNodeQueryMs: node.ms, bodyMs: Math.round(bodyMs * 10) / 10, bytes };
}

async function profilePage(entity: EntityName, key: string, filter: string, offset: number, selective = false) {
  const q = query(entity, filter, offset);
  let sql: Sql;
  const order = orderOf(q);
  const render = renderRecordSql(entity, '1.1', { baseUrl, sharing: SHARE_EVERYTHING });
  if (selective) sql = matchesFirst(q, whereOf(q), undefined, limit); // the page's row addresses; renderedAt renders them
  else if (offset === 0) sql = buildCollectionQuery(q).page;
  else {
    const prev = query(entity, filter, offset - 1);
    const { page } = buildCollectionQuery({ ...prev, params: { ...prev.params, limit: 1 } });
    const boundary = (await knex.raw(page.sql, page.bindings as any[])).rows[0].sourced_id as string;
    sql = seekSql(q, boundary);
  }
  // As the pager runs a page: without parallel workers (src/query/pager.ts).
  return knex.transaction(async (trx) => {
    await trx.raw('set local max_parallel_workers_per_gather = 0');
    const node = await timed(sql, 3, trx);
    const plan = await explain(sql, trx);
    const renderedSql = selective ? renderedAt(entity, tenant, node.rows.map((r: Found) => r.row_id), render, undefined) : renderedPage(sql, render, order, undefined);
    return { offset, rows: node.rows.length, dbExecutionMs: plan.executionMs, nodeQueryMs: node.ms, ...(await rendered(key, renderedSql, trx)), plan: plan.plan };
  });
}

const COLLECTIONS: Array<[EntityName, string]> = [
  ['academicSessions', 'academicSessions'], ['orgs', 'orgs'], ['users', 'users'], ['classes', 'classes'], ['enrollments', 'enrollments'],
];

const out: Record<string, unknown> = { engine: db.engine, limit };
const full: Record<string, unknown> = {};
for (const [entity, key] of COLLECTIONS) {
  const filter = "status='active'";
  const { count } = buildCollectionQuery(query(entity, filter));
  const c = await timed(count);
  const total = c.rows[0].total as number;
  const countPlan = await explain(count);
  const lastOffset = Math.max(0, Math.floor((total - 1) / limit) * limit);
  const middleOffset = Math.floor(lastOffset / limit / 2) * limit;
  const offsets = [...new Set([0, middleOffset, lastOffset])];
  const pages = [];
  for (const o of offsets) pages.push(await profilePage(entity, key, filter, o));
  full[entity] = { total, count: { nodeQueryMs: c.ms, dbExecutionMs: countPlan.executionMs, plan: countPlan.plan }, pages };
}
out.full = full;

if (since) {
  const delta: Record<string, unknown> = {};
  for (const [entity, key] of [['users', 'users'], ['enrollments', 'enrollments']] as Array<[EntityName, string]>) {
    const filter = `dateLastModified>'${since}'`;
    const { count } = buildCollectionQuery(query(entity, filter));
    const c = await timed(count);
    const countPlan = await explain(count);
    delta[entity] = {
      total: c.rows[0].total,
      count: { nodeQueryMs: c.ms, dbExecutionMs: countPlan.executionMs, plan: countPlan.plan },
      first: await profilePage(entity, key, filter, 0, true),
    };
  }
  out.delta = delta;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
await db.close();
