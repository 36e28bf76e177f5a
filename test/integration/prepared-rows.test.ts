import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Knex } from 'knex';
import { renderRecordSql } from '../../src/api/render/render-sql.js';
import { SHARE_EVERYTHING } from '../../src/auth/sharing.js';
import { loadDemo } from '../../src/demo/load-demo.js';
import type { EntityName } from '../../src/model/entities.js';
import { buildCollectionQuery, orderOf, type CollectionQuery } from '../../src/query/build-select.js';
import { readCollectionParams, type RawQuery } from '../../src/query/collection-params.js';
import type { SqlFragment } from '../../src/query/compile-filter.js';
import { Pager, renderedPage } from '../../src/query/pager.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { MAX_PREPARED_PER_CONNECTION, preparedRows } from '../../src/store/prepared-rows.js';
import { engines } from '../helpers/engines.js';

const TENANT = 'prepared';

const query = (entity: EntityName, raw: RawQuery): CollectionQuery => ({
  entity, version: '1.1', tenant: TENANT, scope: [], params: readCollectionParams(raw, entity, '1.1'),
});
const render = (entity: EntityName) => renderRecordSql(entity, '1.1', { baseUrl: 'https://rollcall.example.org/ims/oneroster/v1p1', sharing: SHARE_EVERYTHING });
/** A page as the pager renders it: the page query, each record rendered to JSON by the database. */
const renderedPageOf = (q: CollectionQuery): SqlFragment => renderedPage(buildCollectionQuery(q).page, render(q.entity), orderOf(q), q.params.sort);
const prepared = async (trx: Knex.Transaction) =>
  (await trx.raw(`select name, generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements order by name`)).rows as Array<{ name: string; generic: number; custom: number }>;

for (const engine of engines()) {
  describe(`page rows from prepared statements (${engine.name})`, () => {
    let db: Database & { url?: string };
    before(async () => {
      db = await engine.open();
      assert.equal((await loadDemo(db.knex, TENANT, { students: 60, seed: 4 })).outcome, 'succeeded');
    });
    after(async () => db?.close());

    test('a page read through preparedRows equals the plain query, page after page and sort after sort', async () => {
      for (const raw of [{ filter: "status='active'" }, { sort: 'dateLastModified', orderBy: 'desc' }, { sort: 'familyName' }] as RawQuery[]) {
        for (const offset of [0, 25, 50]) {
          const page = renderedPageOf(query('users', { ...raw, limit: '25', offset: String(offset) }));
          const plain = (await db.knex.raw(page.sql, page.bindings)).rows;
          assert.ok(plain.length > 0, `${JSON.stringify(raw)} offset ${offset} has rows`);
          const got = await db.knex.transaction((trx) => preparedRows(trx, page));
          assert.deepEqual(got, plain, `${JSON.stringify(raw)} offset ${offset}`);
        }
      }
    });

    if (engine.name !== 'postgres') return;

    test('the statement is prepared once per connection and planned without its values; plan_cache_mode is left as it was', async () => {
      await db.knex.transaction(async (trx) => {
        const first = renderedPageOf(query('enrollments', { filter: "status='active'", limit: '20', offset: '0' }));
        const third = renderedPageOf(query('enrollments', { filter: "status='active'", limit: '20', offset: '40' }));
        assert.equal(first.sql, third.sql, 'the same text, other values');
        const before = new Set((await prepared(trx)).map((s) => s.name));
        const a = await preparedRows<{ sourced_id: string }>(trx, first);
        const b = await preparedRows<{ sourced_id: string }>(trx, third);
        assert.equal(a.length, 20);
        assert.equal(b.length, 20);
        assert.notDeepEqual(a.map((r) => r.sourced_id), b.map((r) => r.sourced_id), 'the values reached the statement');
        const added = (await prepared(trx)).filter((s) => !before.has(s.name));
        assert.equal(added.length, 1, 'one statement for both pages');
        assert.match(added[0]!.name, /^rollcall_/);
        assert.deepEqual({ generic: added[0]!.generic, custom: added[0]!.custom }, { generic: 2, custom: 0 });
        assert.equal((await trx.raw('show plan_cache_mode')).rows[0].plan_cache_mode, 'auto');
      });
    });

    test(`a connection prepares at most ${MAX_PREPARED_PER_CONNECTION} statements; the next ones run plainly and give the same rows`, async () => {
      const one = await openDatabase({ databaseUrl: db.url!, poolMax: 1 });
      try {
        // Filters of 1, 2, 3, … predicates: each page is a statement of its own text.
        const filter = (n: number) => Array.from({ length: n }, (_, k) => `sourcedId!='no-such-org-${k}'`).join(' AND ');
        const pages = Array.from({ length: MAX_PREPARED_PER_CONNECTION + 3 }, (_, i) => renderedPageOf(query('orgs', { filter: filter(i + 1), limit: '5', offset: '0' })));
        assert.equal(new Set(pages.map((p) => p.sql)).size, pages.length);
        for (const page of pages) {
          const plain = (await one.knex.raw(page.sql, page.bindings)).rows;
          assert.deepEqual(await one.knex.transaction((trx) => preparedRows(trx, page)), plain);
        }
        const statements = await one.knex.transaction((trx) => prepared(trx));
        assert.equal(statements.filter((s) => s.name.startsWith('rollcall_')).length, MAX_PREPARED_PER_CONNECTION);
      } finally {
        await one.close();
      }
    });

    test('the pager prepares its rendering statements, not the one that finds a selective (delta) page', async () => {
      const one = await openDatabase({ databaseUrl: db.url!, poolMax: 1 });
      try {
        await one.knex.raw('analyze users'); // the pager compares a query's matches with the table's size
        const pager = new Pager();
        const texts = () => one.knex.transaction(async (trx) =>
          (await trx.raw(`select statement from pg_prepared_statements where name like 'rollcall\\_%'`)).rows.map((r: { statement: string }) => r.statement) as string[]);
        const few = (await one.knex.raw(`select sourced_id from users where tenant_id = ? order by sourced_id limit 3`, [TENANT])).rows as Array<{ sourced_id: string }>;
        const filter = `dateLastModified>'2000-01-01T00:00:00Z' AND (${few.map((r) => `sourcedId='${r.sourced_id}'`).join(' OR ')})`;
        const delta = await pager.page(one.knex, query('users', { filter, limit: '10', offset: '0' }), render('users'));
        assert.equal(delta.matchesFirst, true, 'a selective query');
        assert.equal(delta.rows.length, 3);
        const afterDelta = await texts();
        assert.equal(afterDelta.length, 1);
        assert.match(afterDelta[0]!, /r\.ctid = any\(cast\(\$\d+ as tid\[\]\)\)/, 'the rendering of the rows found');
        const walk = await pager.page(one.knex, query('users', { filter: "status='active'", limit: '10', offset: '0' }), render('users'));
        assert.equal(walk.matchesFirst, false, 'a walk of the sort order');
        assert.equal(walk.rows.length, 10);
        const afterWalk = await texts();
        assert.equal(afterWalk.length, 2);
        assert.ok(afterWalk.every((t) => !t.includes('r.ctid as row_id')), 'finding a selective page is planned for its values');
      } finally {
        await one.close();
      }
    });
  });
}
