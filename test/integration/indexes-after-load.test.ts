import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { importCsv } from '../../src/ingest/csv/import.js';
import type { Database } from '../../src/store/db.js';
import { BUILD_AFTER_ROWS, withIndexesBuiltAfter } from '../../src/store/indexes-after-load.js';
import { fixturePackage } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

type IndexRow = { name: string; oid: number; def: string };

/** Every index of the entity tables: name, identity (a rebuilt index is a new one) and definition. */
async function indexes(db: Database): Promise<IndexRow[]> {
  const res = await db.knex.raw(
    `select c.relname as name, c.oid::int as oid, pg_get_indexdef(c.oid) as def
       from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid in ('orgs'::regclass, 'academic_sessions'::regclass, 'courses'::regclass, 'classes'::regclass,
                           'users'::regclass, 'enrollments'::regclass, 'demographics'::regclass)
      order by c.relname`,
  );
  return res.rows;
}

const definitions = (rows: IndexRow[]) => rows.map((r) => `${r.name}: ${r.def}`);
const identities = (rows: IndexRow[]) => rows.map((r) => `${r.name}#${r.oid}`);
const ofTable = (table: string, rows: IndexRow[]) => identities(rows).filter((i) => i.startsWith(`${table}_`));

/** The fixture with enough enrollments for their indexes to be built after them; every other file stays small. */
const manyEnrollments = () =>
  fixturePackage({
    'enrollments.csv': (old) => old + Array.from({ length: BUILD_AFTER_ROWS }, (_, i) => `enr-x${i},,,cls-1,org-s1,a1,student,false,,\n`).join(''),
  });

for (const engine of engines()) {
  describe(`a first load's indexes (${engine.name})`, () => {
    let db: Database & { url?: string };
    before(async () => {
      db = await engine.open();
    });
    after(async () => {
      await db.close();
    });

    test('a new store: a large file\'s indexes are built after its rows, with the same definitions; small files keep theirs', async () => {
      const before = await indexes(db);
      const r = await importCsv(db.knex, { location: manyEnrollments(), tenant: 'first' });
      assert.equal(r.outcome, 'succeeded');
      const afterLoad = await indexes(db);
      assert.deepEqual(definitions(afterLoad), definitions(before));
      const kept = ofTable('enrollments', afterLoad).filter((i) => identities(before).includes(i));
      assert.deepEqual(kept.map((i) => i.split('#')[0]), ['enrollments_tombstones'], 'every enrollments index was built again but the partial one, which a load of active rows adds nothing to');
      assert.ok(ofTable('enrollments', afterLoad).length >= 5);
      for (const small of ['orgs', 'classes', 'users']) assert.deepEqual(ofTable(small, afterLoad), ofTable(small, before), `${small}: a few rows, indexes kept`);

      // The rebuilt primary key holds: a second row with the same key is refused.
      const one = (await db.knex.raw(`select * from enrollments where tenant_id = 'first' limit 1`)).rows[0];
      await assert.rejects(db.knex('enrollments').insert(one), /duplicate key|unique/);
      // And the secondary indexes hold every row.
      for (const [table, column] of [['enrollments', 'class_sourced_id'], ['enrollments', 'user_sourced_id'], ['users', 'role']] as const) {
        const counted = await db.knex.raw(`select count(*)::int as n from ${table} where tenant_id = 'first' and ${column} is not null`);
        const viaIndex = await db.knex.transaction(async (trx) => {
          await trx.raw('set local enable_seqscan = off');
          const res = await trx.raw(`select count(*)::int as n from ${table} where tenant_id = 'first' and ${column} >= ''`);
          return res as { rows: Array<{ n: number }> };
        });
        assert.ok(counted.rows[0].n > 0);
        assert.equal(viaIndex.rows[0].n, counted.rows[0].n, `${table}.${column}`);
      }
    });

    test("another tenant's first load into tables that hold rows keeps their indexes", async () => {
      const before = await indexes(db);
      const r = await importCsv(db.knex, { location: manyEnrollments(), tenant: 'second' });
      assert.equal(r.outcome, 'succeeded');
      assert.deepEqual(identities(await indexes(db)), identities(before));
      const n = await db.knex.raw(`select count(*)::int as n from enrollments where tenant_id = 'second'`);
      assert.ok(n.rows[0].n > 0);
    });

    test('a load that fails leaves the indexes as they were', async () => {
      await db.knex.raw('create table empty_probe (id int primary key, name text)');
      await db.knex.raw('create index empty_probe_name on empty_probe (name)');
      const before = (await db.knex.raw(`select indexrelid::int as oid from pg_index where indrelid = 'empty_probe'::regclass order by 1`)).rows;
      await assert.rejects(
        db.knex.transaction((trx) =>
          withIndexesBuiltAfter(trx, 'empty_probe', BUILD_AFTER_ROWS, async () => {
            const during = await trx.raw(`select count(*)::int as n from pg_index where indrelid = 'empty_probe'::regclass`);
            assert.equal(during.rows[0].n, 0, 'the indexes were dropped for the load');
            await trx.raw(`insert into empty_probe values (1, 'a')`);
            throw new Error('the load failed');
          }),
        ),
        /the load failed/,
      );
      const afterFailure = (await db.knex.raw(`select indexrelid::int as oid from pg_index where indrelid = 'empty_probe'::regclass order by 1`)).rows;
      assert.deepEqual(afterFailure, before);
      await db.knex.raw('drop table empty_probe');
    });
  });
}

const base = process.env.TEST_DATABASE_URL;
if (base) {
  describe('a first load while another session reads the table (postgres)', () => {
    let db: Database & { url?: string };
    before(async () => {
      db = (await engines().find((e) => e.name === 'postgres')!.open()) as Database & { url: string };
    });
    after(async () => {
      await db.close();
    });

    test('does not wait for the reader: it loads with the indexes in place, and the reader is never blocked', async () => {
      const reader = new pg.Client({ connectionString: db.url });
      await reader.connect();
      try {
        await reader.query('begin');
        await reader.query('select count(*) from enrollments'); // holds a share lock until it commits
        const before = await indexes(db);
        const r = await importCsv(db.knex, { location: manyEnrollments(), tenant: 'busy' });
        assert.equal(r.outcome, 'succeeded');
        assert.deepEqual(ofTable('enrollments', await indexes(db)), ofTable('enrollments', before), 'the enrollments indexes were kept');
        const seen = await reader.query(`select count(*)::int as n from enrollments where tenant_id = 'busy'`);
        assert.ok(seen.rows[0].n > 0, "the reader sees the committed import's enrollments");
      } finally {
        await reader.query('rollback');
        await reader.end();
      }
    });
  });
}
