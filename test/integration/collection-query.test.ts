import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadDemo } from '../../src/demo/load-demo.js';
import { RollcallError } from '../../src/errors.js';
import type { EntityName } from '../../src/model/entities.js';
import { buildCollectionQuery, type CollectionQuery } from '../../src/query/build-select.js';
import { readCollectionParams, type RawQuery } from '../../src/query/collection-params.js';
import type { Database } from '../../src/store/db.js';
import { engines } from '../helpers/engines.js';

const TENANT = 'pg';

for (const engine of engines()) {
  describe(`collection queries (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      assert.equal((await loadDemo(db.knex, TENANT, { students: 120, seed: 5 })).outcome, 'succeeded');
      await loadDemo(db.knex, 'other', { students: 30, seed: 6 }); // another tenant, never to be seen
      await db.knex.raw(`update users set status = 'tobedeleted' where tenant_id = ? and sourced_id like '%7'`, [TENANT]);
    });
    after(async () => db?.close());

    const run = async (entity: EntityName, version: '1.1' | '1.2', raw: RawQuery, scope: CollectionQuery['scope'] = []) => {
      const params = readCollectionParams(raw, entity, version);
      const { page, count } = buildCollectionQuery({ entity, version, tenant: TENANT, scope, params });
      const rows = (await db.knex.raw(page.sql, page.bindings)).rows as Array<{ sourced_id: string; data: Record<string, unknown> }>;
      const total = (await db.knex.raw(count.sql, count.bindings)).rows[0].total as number;
      return { ids: rows.map((r) => r.sourced_id), rows, total, params };
    };

    const orders: RawQuery[] = [{}, { sort: 'familyName' }, { sort: 'familyName', orderBy: 'desc' }, { sort: 'dateLastModified', orderBy: 'desc' }, { sort: 'metadata.microsoft.userFlags' }];
    for (const [entity, filter] of [['users', "status='active'"], ['users', "role='student' OR role='guardian'"], ['enrollments', "role='student'"], ['users', '']] as const) {
      for (const order of orders) {
        if (entity === 'enrollments' && order.sort) continue;
        test(`paging ${entity} filter="${filter}" ${JSON.stringify(order)}: every record exactly once, in the same order, for any limit`, async () => {
          const all = await run(entity, '1.1', { ...order, filter, limit: '10000' });
          assert.equal(all.total, all.ids.length);
          assert.ok(all.total > 20);
          for (const limit of [1, 7, 50, all.total + 3]) {
            const seen: string[] = [];
            for (let offset = 0; ; offset += limit) {
              const page = await run(entity, '1.1', { ...order, filter, limit: String(limit), offset: String(offset) });
              assert.equal(page.total, all.total, 'X-Total-Count is the filtered total on every page');
              seen.push(...page.ids);
              if (page.ids.length < limit) break;
            }
            assert.deepEqual(seen, all.ids, `limit ${limit}`);
          }
        });
      }
    }

    test('sort by a field orders by it, ties broken by sourcedId', async () => {
      const { rows } = await run('users', '1.1', { sort: 'familyName', limit: '10000' });
      for (let i = 1; i < rows.length; i++) {
        const [a, b] = [rows[i - 1], rows[i]];
        const [fa, fb] = [String(a.data.familyName), String(b.data.familyName)];
        assert.ok(fa < fb || (fa === fb && a.sourced_id < b.sourced_id), `${fa}/${a.sourced_id} before ${fb}/${b.sourced_id}`);
      }
    });

    test('an OR in the filter cannot widen the scope the caller imposes', async () => {
      const students = { sql: 'r.role = ?', bindings: ['student'] };
      const r = await run('users', '1.1', { filter: "role='teacher' OR sourcedId~'' OR status!='x'", limit: '10000' }, [students]);
      const all = await run('users', '1.1', { filter: "role='student'", limit: '10000' });
      assert.deepEqual(r.ids, all.ids);
      assert.ok(r.ids.length > 0 && r.ids.every((id) => id.startsWith('usr-stu-')));
      const other = await run('users', '1.1', { filter: "sourcedId~'usr'", limit: '10000' });
      const otherTenant = (await db.knex.raw(`select count(*)::int as n from users where tenant_id = 'other'`)).rows[0].n;
      assert.ok(otherTenant > 0);
      assert.equal(other.total, (await db.knex.raw(`select count(*)::int as n from users where tenant_id = ?`, [TENANT])).rows[0].n, 'no other tenant rows');
    });

    test('a filter that matches nothing is an empty page with a total of 0', async () => {
      for (const filter of ["status='norecords'", "sourcedId='norecords'"]) {
        const r = await run('users', '1.1', { filter });
        assert.deepEqual([r.ids, r.total], [[], 0]);
      }
    });

    test('defaults: limit 100, offset 0, by sourcedId; limits above the cap are served at the cap', async () => {
      const r = await run('enrollments', '1.2', {});
      assert.equal(r.ids.length, 100);
      assert.deepEqual(r.ids, [...r.ids].sort());
      assert.equal(readCollectionParams({ limit: '50000' }, 'users', '1.2', { maxLimit: 10_000 }).limit, 10_000);
      assert.equal(readCollectionParams({ limit: '10000' }, 'users', '1.2').limit, 10_000);
    });

    test('unknown sort field: a warning in 1.1, silently the default order in 1.2', async () => {
      const v11 = await run('users', '1.1', { sort: 'favouriteColour' });
      assert.deepEqual(v11.params.warnings.map((w) => w.codeMinor), ['invalid_sort_field']);
      const v12 = await run('users', '1.2', { sort: 'favouriteColour' });
      assert.deepEqual(v12.params.warnings, []);
      assert.deepEqual(v11.ids, v12.ids);
    });

    test('fields: 1.2 unknown entry is a 400, 1.1 a warning; blank is a 400 in both; comma list or repeated', () => {
      const code = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          assert.ok(e instanceof RollcallError);
          return e.details?.codeMinor;
        }
        return 'no error';
      };
      assert.equal(code(() => readCollectionParams({ fields: 'givenName,shoeSize' }, 'users', '1.2')), 'invalid_selection_field');
      assert.equal(code(() => readCollectionParams({ fields: '' }, 'users', '1.2')), 'invalid_selection_field');
      assert.equal(code(() => readCollectionParams({ fields: ' , ' }, 'users', '1.1')), 'invalid_blank_selection_field');
      const v11 = readCollectionParams({ fields: 'givenName,shoeSize' }, 'users', '1.1');
      assert.deepEqual([v11.fields, v11.warnings.map((w) => w.codeMinor)], [['givenName'], ['invalid_selection_field']]);
      assert.deepEqual(readCollectionParams({ fields: ['givenName', 'familyName,role'] }, 'users', '1.1').fields, ['givenName', 'familyName', 'role']);
      assert.equal(code(() => readCollectionParams({ fields: 'role' }, 'users', '1.2')), 'invalid_selection_field', '1.2 users have roles, not role');
    });

    test('bad limit, offset and orderBy are 400 invaliddata; a malformed filter is 400 invalid_filter_field saying where', () => {
      for (const raw of [{ limit: '0' }, { limit: 'abc' }, { limit: '1e3' }, { limit: '-5' }, { offset: '-1' }, { offset: '1.5' }, { orderBy: 'sideways' }] as RawQuery[]) {
        assert.throws(() => readCollectionParams(raw, 'users', '1.1'), (e: unknown) => e instanceof RollcallError && e.details?.codeMinor === 'invaliddata', JSON.stringify(raw));
      }
      assert.throws(
        () => readCollectionParams({ filter: "status='active' AND" }, 'users', '1.1'),
        (e: unknown) => e instanceof RollcallError && e.details?.codeMinor === 'invalid_filter_field' && /character/.test(e.message),
      );
    });

    test('unknown query parameters are ignored', async () => {
      const r = await run('users', '1.1', { 'limit ': '100', foo: 'bar', filter: "status='active'" });
      assert.equal(r.ids.length, 100);
    });
  });
}
