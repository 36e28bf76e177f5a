import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadDemo } from '../../src/demo/load-demo.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import type { EntityName } from '../../src/model/entities.js';
import { buildCollectionQuery, orderOf, type CollectionQuery } from '../../src/query/build-select.js';
import { readCollectionParams, type RawQuery } from '../../src/query/collection-params.js';
import { Pager, renderedAt, renderedPage, type PageRow, type PagerOptions } from '../../src/query/pager.js';
import { exportSnapshot, snapshotSession } from '../../src/query/snapshot-session.js';
import { renderRecordSql } from '../../src/api/render/render-sql.js';
import { SHARE_EVERYTHING } from '../../src/auth/sharing.js';
import type { Database } from '../../src/store/db.js';
import { packageWith } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

const TENANT = 'pager';

for (const engine of engines()) {
  describe(`deep paging by seek (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      assert.equal((await loadDemo(db.knex, TENANT, { students: 100, seed: 9 })).outcome, 'succeeded');
    });
    after(async () => db?.close());

    const query = (entity: EntityName, raw: RawQuery): CollectionQuery => ({
      entity, version: '1.1', tenant: TENANT, scope: [], params: readCollectionParams(raw, entity, '1.1'),
    });
    const render = (entity: EntityName) => renderRecordSql(entity, '1.1', { baseUrl: 'https://rollcall.example.org/ims/oneroster/v1p1', sharing: SHARE_EVERYTHING });
    const plain = async (q: CollectionQuery) => {
      const { page } = buildCollectionQuery(q);
      return ((await db.knex.raw(page.sql, page.bindings)).rows as Array<{ sourced_id: string }>).map((r) => r.sourced_id);
    };
    /** The plain OFFSET page, rendered: sourcedId, sort key and JSON text of each record. */
    const plainRendered = async (q: CollectionQuery) => {
      const sql = renderedPage(buildCollectionQuery(q).page, render(q.entity), orderOf(q), q.params.sort);
      return (await db.knex.raw(sql.sql, sql.bindings)).rows as PageRow[];
    };

    /** Split pages need a second connection: Postgres only (the embedded database has one). */
    const pagerOptions: PagerOptions[] = [{}, { readAhead: true }, ...(engine.name === 'postgres' ? [{ splitRows: 2 }, { readAhead: true, splitRows: 2 }] : [])];
    /**
     * With a second connection, a first page is counted while its matches are found, and the search
     * stops past matchesFirstMax: with 5, every query here has more, and its first page must not use
     * the few it found.
     */
    const crawlOptions: PagerOptions[] = [...pagerOptions, ...(engine.name === 'postgres' ? [{ splitRows: 2, matchesFirstMax: 5 }] : [])];

    for (const raw of [{ filter: "status='active'" }, {}, { sort: 'dateLastModified' }, { sort: 'dateLastModified', orderBy: 'desc' }, { sort: 'status', orderBy: 'desc' }, { sort: 'familyName' }] as RawQuery[]) {
      test(`a sequential crawl equals plain OFFSET pages, seeking after the first page, with and without read-ahead and split pages: ${JSON.stringify(raw)}`, async () => {
       for (const options of crawlOptions) {
        const pager = new Pager(options);
        for (const entity of ['users', 'enrollments'] as EntityName[]) {
          if (entity === 'enrollments' && raw.sort === 'familyName') continue;
          let seeks = 0;
          let pages = 0;
          let ahead = 0;
          for (let offset = 0; ; offset += 37) {
            const q = query(entity, { ...raw, limit: '37', offset: String(offset) });
            const got = await pager.page(db.knex, q, render(entity));
            assert.deepEqual(got.rows, await plainRendered(q), `${entity} offset ${offset} ${JSON.stringify(options)}`);
            assert.equal(got.split, options.splitRows !== undefined && Math.min(37, got.total - offset) >= options.splitRows, 'a page of at least splitRows rows is split when nothing else renders');
            pages++;
            if (got.seeked) seeks++;
            if (got.readAhead) ahead++;
            if (got.rows.length < 37) break;
          }
          assert.ok(pages > 3);
          assert.equal(seeks, raw.sort === 'familyName' ? 0 : pages - 1, 'every page after the first seeks (familyName may be null: never)');
          assert.equal(ahead, options.readAhead ? pages - 1 : 0, 'with read-ahead, every page after the first was ready');
        }
       }
      });
    }

    test('a selective query reads its matches first, and its pages equal plain OFFSET pages', async () => {
      await db.knex.raw('analyze users');
      await db.knex.raw('analyze enrollments');
      /** Every 13th record, by sourcedId: scattered matches, far fewer than a tenth of the table. */
      const scattered = async (entity: EntityName) => {
        const ids = ((await db.knex.raw(`select sourced_id from ${entity} where tenant_id = ? order by sourced_id`, [TENANT])).rows as Array<{ sourced_id: string }>)
          .filter((_, i) => i % 13 === 5).map((r) => `sourcedId='${r.sourced_id}'`);
        return ids.join(' OR ');
      };
      const users = await scattered('users');
      const enrollments = await scattered('enrollments');
      const cases: Array<[EntityName, RawQuery]> = [
        ['users', { filter: users }],
        ['users', { filter: users, sort: 'familyName' }],
        ['users', { filter: users, sort: 'dateLastModified', orderBy: 'desc' }],
        ['users', { filter: users, sort: 'metadata.microsoft.userFlags', orderBy: 'desc' }],
        ['enrollments', { filter: enrollments }],
      ];
      for (const options of pagerOptions) for (const [entity, raw] of cases) {
        const pager = new Pager(options);
        let pages = 0;
        for (let offset = 0; ; offset += 4) {
          const q = query(entity, { ...raw, limit: '4', offset: String(offset) });
          const got = await pager.page(db.knex, q, render(entity));
          assert.deepEqual(got.rows, await plainRendered(q), `${entity} ${JSON.stringify(raw)} offset ${offset} ${JSON.stringify(options)}`);
          assert.equal(got.split, options.splitRows !== undefined && got.rows.length >= options.splitRows);
          assert.equal(got.matchesFirst, true, `${entity} ${JSON.stringify(raw)}: ${got.total} matches`);
          pages++;
          if (got.rows.length < 4) break;
        }
        assert.ok(pages > 2, `${entity} ${JSON.stringify(raw)}: ${pages} pages`);
      }
    });

    if (engine.name === 'postgres') {
      test('a first page counted while its matches are found: more matches than matchesFirstMax are not read first', async () => {
        await db.knex.raw('analyze users'); // the table's row count, for the tenth-of-the-table rule
        const ids = ((await db.knex.raw(`select sourced_id from users where tenant_id = ? order by sourced_id desc`, [TENANT])).rows as Array<{ sourced_id: string }>)
          .filter((_, i) => i % 13 === 5).map((r) => `sourcedId='${r.sourced_id}'`);
        for (const matchesFirstMax of [3, 1000]) {
          const pager = new Pager({ splitRows: 2, matchesFirstMax });
          for (let offset = 0; ; offset += 4) {
            const q = query('users', { filter: ids.join(' OR '), limit: '4', offset: String(offset) });
            const got = await pager.page(db.knex, q, render('users'));
            assert.ok(got.total > 3, `${got.total} matches`);
            assert.deepEqual(got.rows, await plainRendered(q), `matchesFirstMax ${matchesFirstMax}, offset ${offset}`);
            assert.equal(got.matchesFirst, matchesFirstMax === 1000);
            if (got.rows.length < 4) break;
          }
        }
      });
    }

    test('a selective query finds its matches once for its later pages, and again when the table was rewritten since', async () => {
      await db.knex.raw('analyze users');
      const users = ((await db.knex.raw(`select sourced_id from users where tenant_id = ? order by sourced_id`, [TENANT])).rows as Array<{ sourced_id: string }>)
        .filter((_, i) => i % 11 === 3).map((r) => r.sourced_id);
      const filter = users.map((id) => `sourcedId='${id}'`).join(' OR ');
      // Row versions left dead before the others, so that VACUUM FULL moves the live ones.
      await db.knex.raw(`update users set data = data where ctid in (select ctid from users where tenant_id = ? order by ctid limit 20)`, [TENANT]);
      const addresses = async () => ((await db.knex.raw(`select ctid::text as a from users where tenant_id = ? and sourced_id = any(?) order by sourced_id`, [TENANT, users])).rows as Array<{ a: string }>).map((r) => r.a);
      const finds: string[] = [];
      const onQuery = (q: { sql: string }) => { if (q.sql.includes('r.ctid as row_id')) finds.push(q.sql); };
      db.knex.on('query', onQuery);
      try {
        const pager = new Pager();
        const page = async (offset: number) => {
          finds.length = 0;
          const q = query('users', { filter, limit: '4', offset: String(offset) });
          const got = await pager.page(db.knex, q, render('users'));
          assert.equal(got.matchesFirst, true);
          assert.deepEqual(got.rows, await plainRendered(q), `offset ${offset}`);
          return finds.length;
        };
        assert.equal(await page(0), 1, 'the first page finds its own rows');
        assert.equal(await page(4), 1, 'the second finds every match from its own on');
        assert.equal(await page(8), 0, 'the third reads the matches the second kept');
        const before = await addresses();
        await db.knex.raw('vacuum full users');
        assert.notDeepEqual(await addresses(), before, 'the rewrite moved the matches');
        assert.equal(await page(12), 1, 'the kept addresses no longer hold the rows: found again');
        assert.equal(await page(16), 0, 'and kept again');
      } finally {
        db.knex.off('query', onQuery);
      }
    });

    test('rows at given addresses are read only where they are the tenant\'s', async () => {
      assert.equal((await loadDemo(db.knex, 'pager-twin', { students: 5, seed: 9 })).outcome, 'succeeded');
      const twin = (await db.knex.raw(`select ctid::text as a from users where tenant_id = 'pager-twin' order by sourced_id limit 3`)).rows as Array<{ a: string }>;
      const at = (tenant: string) => {
        const sql = renderedAt('users', tenant, twin.map((r) => r.a), render('users'), undefined);
        return db.knex.raw(sql.sql, sql.bindings).then((r) => r.rows as PageRow[]);
      };
      assert.equal((await at('pager-twin')).length, 3);
      assert.deepEqual(await at(TENANT), [], 'another tenant\'s rows, though the same demo gave them the same sourcedIds');
    });

    if (engine.name === 'postgres') {
      test('the second half of a split page reads the snapshot of the first, not data committed since', async () => {
        const version = { sql: 'select id as sourced_id, null as sort_key, data_version::text as json from tenants where id = ?', bindings: [TENANT] };
        await db.knex.transaction(async (trx) => {
          const before = (await trx.raw(version.sql, version.bindings)).rows[0].json as string; // the snapshot is taken here
          const id = await exportSnapshot(trx);
          await db.knex.raw('update tenants set data_version = data_version + 1 where id = ?', [TENANT]); // another connection, committed
          const session = await snapshotSession(db.knex, id);
          try {
            assert.equal((await session.raw(version.sql, version.bindings)).rows[0].json, before);
          } finally {
            await session.commit();
          }
          assert.equal((await db.knex.raw(version.sql, version.bindings)).rows[0].json, String(Number(before) + 1));
        }, { isolationLevel: 'repeatable read' });
      });
    }

    test('after a write the cached boundaries, totals and pages read ahead are not used', async () => {
      const pager = new Pager({ readAhead: true });
      const q0 = query('users', { limit: '50', offset: '0', filter: "status='active'" });
      const q1 = query('users', { limit: '50', offset: '50', filter: "status='active'" });
      const before = await pager.page(db.knex, q0, render('users'));
      assert.equal((await pager.page(db.knex, q1, render('users'))).readAhead, true);
      await pager.page(db.knex, q0, render('users')); // q1 is read ahead again, at the version before the write
      // Tombstone the first user of the first page: everything after it shifts by one.
      const first = before.rows[0]!.sourced_id;
      const pkg = packageWith({ users: 'delta' }, { 'users.csv': `sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,familyName\n${first},tobedeleted,,,,,,,\n` });
      assert.equal((await importCsv(db.knex, { location: pkg, tenant: TENANT, source: 'demo' })).outcome, 'succeeded');
      const again = await pager.page(db.knex, q1, render('users'));
      assert.equal(again.seeked, false, 'the data changed: no seek from an old boundary');
      assert.equal(again.readAhead, false, 'the data changed: not the page read ahead before it');
      assert.equal(again.total, before.total - 1);
      assert.deepEqual(again.rows.map((r) => r.sourced_id), await plain(q1));
    });
  });
}
