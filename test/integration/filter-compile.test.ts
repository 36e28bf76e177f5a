import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadDemo } from '../../src/demo/load-demo.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { ENTITIES, type EntityName } from '../../src/model/entities.js';
import { RollcallError } from '../../src/errors.js';
import { buildCollectionQuery } from '../../src/query/build-select.js';
import { readCollectionParams } from '../../src/query/collection-params.js';
import { compileFilter } from '../../src/query/compile-filter.js';
import { parseFilter } from '../../src/query/parse-filter.js';
import type { Database } from '../../src/store/db.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';
import { accessors, evaluate, type StoreRow } from '../helpers/reference-filter.js';

const TENANT = 'q';

/** [entity, version, filter] — the SDS collection's filters first, then the rest. */
const CASES: Array<[EntityName, '1.1' | '1.2', string]> = [
  ['users', '1.1', "status='active'"],
  ['users', '1.1', "sourcedId='norecords'"],
  ['users', '1.1', "dateLastModified>'2020-01-01T01:00:00.000Z'"],
  ['users', '1.1', "role='student' AND dateLastModified>'2020-01-01T01:00:00.000Z'"],
  ['users', '1.1', "role='guardian'"],
  ['users', '1.1', "username='ava.lopez' OR email~'ava.lopez'"],
  ['users', '1.1', "email='T.WRIGHT@maple.example.org'"],
  ['academicSessions', '1.1', "schoolYear='2027' AND status='active'"],
  ['orgs', '1.1', "status='active'"],
  ['classes', '1.1', "status='active'"],
  ['enrollments', '1.1', "status='active'"],
  ['courses', '1.1', "sourcedId='norecords'"],
  // types, predicates and case rules
  ['users', '1.1', "status='ACTIVE'"],
  ['users', '1.1', "status!='active'"],
  ['users', '1.1', "role='administrator'"],
  ['users', '1.1', "role!='student'"],
  ['users', '1.1', "role~'ADMIN'"],
  ['users', '1.1', "givenName='ava'"],
  ['users', '1.1', "familyName~'LÓ'"],
  ['users', '1.1', "familyName~'ló'"],
  ['users', '1.1', "familyName>'M'"],
  ['users', '1.1', "familyName<='Lopez'"],
  ['users', '1.1', "sourcedId>'usr-m'"],
  ['users', '1.1', "sourcedId~'stu'"],
  ['users', '1.1', "sourcedId='A1'"],
  ['users', '1.1', "enabledUser='true'"],
  ['users', '1.1', "enabledUser='FALSE'"],
  ['users', '1.1', "grades='05'"],
  ['users', '1.1', "grades!='05'"],
  ['users', '1.1', "grades>='09'"],
  ['users', '1.1', "orgs.sourcedId='org-s1'"],
  ['users', '1.1', "agents.sourcedId='usr-g1'"],
  ['users', '1.1', "metadata.microsoft.userFlags~'IEP'"],
  ['users', '1.1', "metadata.microsoft.userFlags='freeLunch'"],
  ['users', '1.1', "email!='ava.lopez@students.example.org' AND role='student' AND grades='05'"],
  ['users', '1.1', "role='teacher' OR role='administrator' OR role='aide'"],
  ['users', '1.1', "role='student' AND grades='05' OR role='guardian' AND familyName~'lópez'"],
  ['users', '1.1', "(role='student' OR role='guardian') AND status='active'"],
  ['users', '1.1', "email~'' AND sourcedId<'usr-stu-0000100'"],
  ['users', '1.2', "roles.role='student'"],
  ['users', '1.2', "roles.role='siteAdministrator' OR roles.role='districtAdministrator'"],
  ['users', '1.2', "roles.org.sourcedId='org-s2'"],
  ['users', '1.2', "primaryOrg.sourcedId='org-s1'"],
  ['academicSessions', '1.1', "type='term'"],
  ['academicSessions', '1.1', "startDate>'2026-12-01'"],
  ['academicSessions', '1.1', "startDate>='2026-08-17T00:00:00Z'"],
  ['academicSessions', '1.1', "startDate>'2026-08-17T10:00:00.000+02:00'"],
  ['academicSessions', '1.1', "endDate<'2027-01-15' AND type='gradingPeriod'"],
  ['academicSessions', '1.1', "startDate~'2027'"],
  ['academicSessions', '1.1', "parent.sourcedId='as-y'"],
  ['orgs', '1.1', "type='school'"],
  ['orgs', '1.1', "type='SCHOOL' AND name~'maple'"],
  ['orgs', '1.1', "parent.sourcedId='org-d'"],
  ['orgs', '1.1', "identifier>'0601'"],
  ['classes', '1.1', "terms.sourcedId='as-t2'"],
  ['classes', '1.1', "classType='scheduled' AND school.sourcedId='org-s1'"],
  ['classes', '1.1', "periods='1'"],
  ['classes', '1.1', "grades='09' OR grades='10'"],
  ['classes', '1.1', "course.sourcedId='crs-2'"],
  ['enrollments', '1.1', "role='teacher' AND primary='true'"],
  ['enrollments', '1.1', "primary!='true'"],
  ['enrollments', '1.1', "class.sourcedId='cls-1'"],
  ['enrollments', '1.1', "user.sourcedId='a1' OR user.sourcedId='usr-t2'"],
  ['enrollments', '1.1', "beginDate>='2027-01-01'"],
  ['enrollments', '1.1', "school.sourcedId='org-s3' AND role='student'"],
  ['enrollments', '1.1', "endDate!='2027-06-18'"],
  ['courses', '1.1', "grades='09' AND subjects~'science'"],
  ['courses', '1.1', "org.sourcedId='org-s3' OR courseCode='ALG1'"],
  ['courses', '1.1', "schoolYear.sourcedId='as-y' AND title>'B'"],
];

async function rowsOf(db: Database, entity: EntityName): Promise<StoreRow[]> {
  const res = await db.knex.raw(
    `select sourced_id, status, to_char(date_last_modified at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as dlm, data
       ${entity === 'users' ? ', role' : ''} from ${ENTITIES[entity].table} where tenant_id = ?`,
    [TENANT],
  );
  return res.rows;
}

async function viaSql(db: Database, entity: EntityName, version: '1.1' | '1.2', filter: string): Promise<string[]> {
  const where = compileFilter(parseFilter(filter), entity, version);
  const res = await db.knex.raw(
    `select r.sourced_id from ${ENTITIES[entity].table} r where r.tenant_id = ? and ${where.sql} order by r.sourced_id`,
    [TENANT, ...where.bindings],
  );
  return res.rows.map((r: { sourced_id: string }) => r.sourced_id);
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0); // UTF-16 order equals code point order for these ids

for (const engine of engines()) {
  describe(`filters compiled to SQL agree with a reference evaluation (${engine.name})`, () => {
    let db: Database;
    const rows = new Map<EntityName, StoreRow[]>();
    before(async () => {
      db = await engine.open();
      assert.equal((await importCsv(db.knex, { location: FIXTURE_1P1, tenant: TENANT, source: 'fixture' })).outcome, 'succeeded');
      assert.equal((await loadDemo(db.knex, TENANT, { students: 150, seed: 3 })).outcome, 'succeeded');
      // Some tombstones, so status filters have both kinds to tell apart.
      await db.knex.raw(`update users set status = 'tobedeleted' where tenant_id = ? and sourced_id in ('usr-s3', 'usr-ad')`, [TENANT]);
      for (const e of ['users', 'academicSessions', 'orgs', 'courses', 'classes', 'enrollments'] as EntityName[]) rows.set(e, await rowsOf(db, e));
    });
    after(async () => db?.close());

    for (const [entity, version, filter] of CASES) {
      test(`${entity} v${version}: ${filter}`, async () => {
        const expected = rows.get(entity)!.filter((r) => evaluate(parseFilter(filter), r, accessors(entity, version))).map((r) => r.sourced_id).sort(byCodePoint);
        assert.deepEqual(await viaSql(db, entity, version, filter), expected);
      });
    }

    for (const [sort, orderBy] of [['familyName', 'asc'], ['familyName', 'desc'], ['dateLastModified', 'desc'], ['middleName', 'asc'], ['role', 'desc']] as const) {
      test(`users sorted by ${sort} ${orderBy}: same records in the same order as the reference`, async () => {
        const fields = accessors('users', '1.1');
        for (const filter of ["status='active'", "role='student' OR role='guardian'", "grades>='09' OR familyName~'a'"]) {
          const params = readCollectionParams({ filter, sort, orderBy, limit: '10000' }, 'users', '1.1');
          const { page } = buildCollectionQuery({ entity: 'users', version: '1.1', tenant: TENANT, scope: [], params });
          const got = (await db.knex.raw(page.sql, page.bindings)).rows.map((r: { sourced_id: string }) => r.sourced_id);
          const key = (r: StoreRow) => fields[sort].get(r) as string | undefined;
          const dir = orderBy === 'desc' ? -1 : 1;
          const expected = rows.get('users')!
            .filter((r) => evaluate(parseFilter(filter), r, fields))
            .sort((a, b) => {
              const [x, y] = [key(a), key(b)];
              // Postgres puts NULLs last ascending and first descending: nulls sort as the largest value.
              const k = x === y ? 0 : x === undefined ? 1 : y === undefined ? -1 : byCodePoint(x, y);
              return dir * (k || byCodePoint(a.sourced_id, b.sourced_id));
            })
            .map((r) => r.sourced_id);
          assert.deepEqual(got, expected, filter);
        }
      });
    }

    test('the table covers every predicate and returns non-trivial results', async () => {
      const ops = new Set(CASES.flatMap(([, , f]) => [...f.matchAll(/(!=|>=|<=|=|>|<|~)'/g)].map((m) => m[1])));
      assert.deepEqual([...ops].sort(), ['!=', '<', '<=', '=', '>', '>=', '~']);
      let nonEmpty = 0;
      for (const [entity, version, filter] of CASES) if ((await viaSql(db, entity, version, filter)).length > 0) nonEmpty++;
      assert.ok(nonEmpty >= CASES.length - 6, `only ${nonEmpty} of ${CASES.length} filters matched anything`);
    });

    test('unknown fields and bad values are 400s with codeMinor invalid_filter_field, never database errors', async () => {
      const cases: Array<[EntityName, '1.1' | '1.2', string, RegExp]> = [
        ['users', '1.1', "favouriteColour='blue'", /Unknown filter field "favouriteColour" at character 1/],
        ['users', '1.2', "role='student'", /Unknown filter field "role"/],
        ['users', '1.1', "roles.role='student'", /Unknown filter field "roles.role"/],
        ['users', '1.1', "status='active' AND dateLastModified>'yesterday'", /"dateLastModified" at character 21 must be an ISO 8601/],
        ['academicSessions', '1.1', "startDate>'2024-02-30'", /must be an ISO 8601/],
        ['users', '1.1', "enabledUser='yes'", /must be 'true' or 'false'/],
        ['users', '1.1', "enabledUser>'true'", /boolean field takes = or !=/],
      ];
      for (const [entity, version, filter, message] of cases) {
        await assert.rejects(viaSql(db, entity, version, filter), (e: unknown) => {
          assert.ok(e instanceof RollcallError, String(e));
          assert.equal(e.details?.codeMinor, 'invalid_filter_field');
          assert.match(e.message, message);
          return true;
        });
      }
    });

    test('values are bindings: SQL-looking values match literally and change nothing', async () => {
      const before = (await db.knex.raw(`select count(*)::int as n from users where tenant_id = ?`, [TENANT])).rows[0].n;
      for (const v of ["x' OR '1'='1", "'; drop table users; --", "a1' --", "%", "_", "\\"]) {
        const filter = `givenName='${v.replace(/'/g, "''")}' OR sourcedId~'${v.replace(/'/g, "''")}'`;
        assert.deepEqual(await viaSql(db, 'users', '1.1', filter), []);
      }
      assert.equal((await db.knex.raw(`select count(*)::int as n from users where tenant_id = ?`, [TENANT])).rows[0].n, before);
    });
  });
}
