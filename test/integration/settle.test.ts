import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Knex } from 'knex';
import { importCsv } from '../../src/ingest/csv/import.js';
import type { Database } from '../../src/store/db.js';
import { fixturePackage, packageWith } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

const EXTRA = 3000;
const enrollment = (i: number, status = '') => `enr-x${i},${status},,cls-1,org-s1,a1,student,false,,\n`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** Every plan node of an EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON), depth first. */
function nodes(plan: Record<string, unknown>): Array<Record<string, unknown>> {
  return [plan, ...((plan.Plans as Array<Record<string, unknown>> | undefined) ?? []).flatMap(nodes)];
}

async function explain(db: Database, sql: string, bindings: Knex.RawBinding[]): Promise<Array<Record<string, unknown>>> {
  const res = await db.knex.raw(`explain (analyze, buffers, format json) ${sql}`, bindings);
  const json = res.rows[0]['QUERY PLAN'];
  return nodes((typeof json === 'string' ? JSON.parse(json) : json)[0].Plan);
}

/**
 * The rows the first read of the tenant's enrollments written after `since` found, and the pages
 * it dirtied. A CHECKPOINT first writes out every page, as Postgres does soon after any write: a
 * reader that finds a row's hint bits unset then sets them and so dirties its page again.
 */
async function firstRead(db: Database, since: Date): Promise<{ rows: number; dirtied: number }> {
  await db.knex.raw('checkpoint');
  const plan = await explain(db, `select sourced_id, status, data from enrollments where tenant_id = 'settle' and date_last_modified > ?`, [since]);
  return { rows: Number(plan[0]!['Actual Rows']), dirtied: plan.reduce((n, p) => n + Number(p['Shared Dirtied Blocks'] ?? 0), 0) };
}

/** How many times the enrollments table was VACUUMed by hand (not by autovacuum). */
async function vacuums(db: Database): Promise<number> {
  const res = await db.knex.raw(`select vacuum_count from pg_stat_user_tables where relname = 'enrollments'`);
  return Number(res.rows[0].vacuum_count);
}

const tombstoning = (ids: number[]) => packageWith({ enrollments: 'delta' }, { 'enrollments.csv': (old) => old.split('\n')[0] + '\n' + ids.map((i) => enrollment(i, 'tobedeleted')).join('') });

for (const engine of engines()) {
  describe(`settling the tables after a write (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      const first = fixturePackage({ 'enrollments.csv': (old) => old + range(0, EXTRA).map((i) => enrollment(i)).join('') });
      assert.equal((await importCsv(db.knex, { location: first, tenant: 'settle' })).outcome, 'succeeded');
    });
    after(async () => {
      await db.close();
    });

    test('a first load is vacuumed', async () => {
      assert.equal(await vacuums(db), 1);
    });

    test('a small change is settled by reading its rows: their first reader writes nothing, and the table is not vacuumed', async () => {
      const since = new Date();
      await new Promise((r) => setTimeout(r, 5));
      const r = await importCsv(db.knex, { location: tombstoning(range(0, 20)), tenant: 'settle' });
      assert.equal(r.files[0]!.tombstoned, 20);
      assert.deepEqual(await firstRead(db, since), { rows: 20, dirtied: 0 }, 'the hint bits of the rows written were set before any reader came');
      assert.equal(await vacuums(db), 1, 'no VACUUM after the small change');
    });

    test('a change of more than a tenth of the table is vacuumed', async () => {
      const since = new Date();
      await new Promise((r) => setTimeout(r, 5));
      const r = await importCsv(db.knex, { location: tombstoning(range(20, 1020)), tenant: 'settle' });
      assert.equal(r.files[0]!.tombstoned, 1000);
      assert.deepEqual(await firstRead(db, since), { rows: 1000, dirtied: 0 });
      assert.equal(await vacuums(db), 2);
    });
  });
}
