import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENDPOINTS, type Endpoint } from '../../src/api/oneroster/endpoints.js';
import { BASE_PATH } from '../../src/api/oneroster/handlers.js';
import { loadDemo } from '../../src/demo/load-demo.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { APPLY_ORDER, ENTITIES, type EntityName } from '../../src/model/entities.js';
import type { OneRosterVersion } from '../../src/model/vocab.js';
import type { Database } from '../../src/store/db.js';
import { clientWithToken, get, startApi, type ApiUnderTest } from '../helpers/api-server.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';
import { officialResponseValidators } from '../helpers/official-openapi.js';

type Row = { sourced_id: string; status: string; data: Record<string, any>; role?: string };
type Store = Record<EntityName, Row[]>;
const VERSIONS: OneRosterVersion[] = ['1.1', '1.2'];
const DATE_LAST_MODIFIED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What each endpoint should return, computed in TypeScript from the stored canonical records (an oracle independent of the SQL). */
function expected(ep: Endpoint, s: Store, p: Record<string, string>): string[] {
  const ids = (rows: Row[]) => rows.map((r) => r.sourced_id).sort();
  const sessions = (type: string) => s.academicSessions.filter((r) => r.data.type === type);
  const users = (role?: string) => s.users.filter((u) => !role || u.role === role);
  const activeEnr = s.enrollments.filter((e) => e.status === 'active');
  const enrolled = (cls: string, role: string, school?: string) =>
    new Set(activeEnr.filter((e) => e.data.class.sourcedId === cls && e.data.role === role && (!school || e.data.school.sourcedId === school)).map((e) => e.data.user.sourcedId));
  const classesOf = (user: string) => new Set(activeEnr.filter((e) => e.data.user.sourcedId === user).map((e) => e.data.class.sourcedId));
  const orgIds = (u: Row) => (u.data.roles as Array<{ org: { sourcedId: string } }>).map((r) => r.org.sourcedId);
  switch (ep.operationId) {
    case 'getAllAcademicSessions': return ids(s.academicSessions);
    case 'getAllClasses': return ids(s.classes);
    case 'getAllCourses': return ids(s.courses);
    case 'getAllGradingPeriods': return ids(sessions('gradingPeriod'));
    case 'getAllDemographics': return ids(s.demographics);
    case 'getAllEnrollments': return ids(s.enrollments);
    case 'getAllOrgs': return ids(s.orgs);
    case 'getAllSchools': return ids(s.orgs.filter((o) => o.data.type === 'school'));
    case 'getAllStudents': return ids(users('student'));
    case 'getAllTeachers': return ids(users('teacher'));
    case 'getAllTerms': return ids(sessions('term'));
    case 'getAllUsers': return ids(s.users);
    case 'getCoursesForSchool': return ids(s.courses.filter((c) => c.data.org?.sourcedId === p.schoolSourcedId));
    case 'getEnrollmentsForClassInSchool': return ids(s.enrollments.filter((e) => e.data.class.sourcedId === p.classSourcedId && e.data.school.sourcedId === p.schoolSourcedId));
    case 'getStudentsForClassInSchool': { const set = enrolled(p.classSourcedId!, 'student', p.schoolSourcedId); return ids(s.users.filter((u) => set.has(u.sourced_id))); }
    case 'getTeachersForClassInSchool': { const set = enrolled(p.classSourcedId!, 'teacher', p.schoolSourcedId); return ids(s.users.filter((u) => set.has(u.sourced_id))); }
    case 'getEnrollmentsForSchool': return ids(s.enrollments.filter((e) => e.data.school.sourcedId === p.schoolSourcedId));
    case 'getStudentsForSchool': return ids(users('student').filter((u) => orgIds(u).includes(p.schoolSourcedId!)));
    case 'getTeachersForSchool': return ids(users('teacher').filter((u) => orgIds(u).includes(p.schoolSourcedId!)));
    case 'getTermsForSchool': {
      const used = new Set(s.classes.filter((c) => c.data.school.sourcedId === p.schoolSourcedId).flatMap((c) => c.data.terms.map((t: any) => t.sourcedId)));
      return ids(sessions('term').filter((t) => used.has(t.sourced_id)));
    }
    case 'getClassesForTerm': return ids(s.classes.filter((c) => c.data.terms.some((t: any) => t.sourcedId === p.termSourcedId)));
    case 'getGradingPeriodsForTerm': return ids(sessions('gradingPeriod').filter((g) => g.data.parent?.sourcedId === p.termSourcedId));
    case 'getClassesForCourse': return ids(s.classes.filter((c) => c.data.course.sourcedId === p.courseSourcedId));
    case 'getClassesForStudent': { const set = classesOf(p.studentSourcedId!); return ids(s.classes.filter((c) => set.has(c.sourced_id))); }
    case 'getClassesForTeacher': { const set = classesOf(p.teacherSourcedId!); return ids(s.classes.filter((c) => set.has(c.sourced_id))); }
    case 'getClassesForSchool': return ids(s.classes.filter((c) => c.data.school.sourcedId === p.schoolSourcedId));
    case 'getClassesForUser': { const set = classesOf(p.userSourcedId!); return ids(s.classes.filter((c) => set.has(c.sourced_id))); }
    case 'getStudentsForClass': { const set = enrolled(p.classSourcedId!, 'student'); return ids(s.users.filter((u) => set.has(u.sourced_id))); }
    case 'getTeachersForClass': { const set = enrolled(p.classSourcedId!, 'teacher'); return ids(s.users.filter((u) => set.has(u.sourced_id))); }
    default: throw new Error(`no oracle for ${ep.operationId}`);
  }
}

/** Path parameters for an endpoint, picked from the data so the answer is not empty where possible. */
function parameterSets(ep: Endpoint, s: Store): Array<Record<string, string>> {
  const pick = <T>(xs: T[], n = 3) => xs.slice(0, n);
  const schools = s.orgs.filter((o) => o.data.type === 'school').map((o) => o.sourced_id);
  const names = [...ep.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return [{}];
  if (names.includes('classSourcedId') && names.includes('schoolSourcedId')) {
    return pick(s.classes).map((c) => ({ schoolSourcedId: c.data.school.sourcedId, classSourcedId: c.sourced_id }));
  }
  const name = names[0]!;
  const values: Record<string, string[]> = {
    schoolSourcedId: pick(schools),
    termSourcedId: pick(s.academicSessions.filter((a) => a.data.type === 'term').map((a) => a.sourced_id)),
    courseSourcedId: pick(s.courses.map((c) => c.sourced_id)),
    studentSourcedId: pick(s.users.filter((u) => u.role === 'student').map((u) => u.sourced_id)),
    teacherSourcedId: pick(s.users.filter((u) => u.role === 'teacher').map((u) => u.sourced_id)),
    userSourcedId: pick(s.users.map((u) => u.sourced_id)),
    classSourcedId: pick(s.classes.map((c) => c.sourced_id)),
  };
  return values[name]!.map((v) => ({ [name]: v }));
}

const fill = (path: string, p: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(p[n]!));

for (const engine of engines()) {
  describe(`OneRoster REST API (${engine.name})`, () => {
    let db: Database;
    let api: ApiUnderTest;
    const stores: Record<string, Store> = {};
    const tokens: Record<string, string> = {};

    before(async () => {
      db = await engine.open();
      await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'fixture' });
      await loadDemo(db.knex, 'demo', { students: 60, seed: 7 });
      // Tombstone one enrollment so collections are seen to carry tombstones.
      await db.knex.raw(`update enrollments set status = 'tobedeleted' where tenant_id = 'demo' and sourced_id = (select min(sourced_id) from enrollments where tenant_id = 'demo')`);
      api = await startApi(db);
      for (const tenant of ['fixture', 'demo']) {
        const store = {} as Store;
        for (const e of APPLY_ORDER) {
          const extra = e === 'users' ? ', role' : '';
          store[e] = (await db.knex.raw(`select sourced_id, status, data${extra} from ${ENTITIES[e].table} where tenant_id = ? order by sourced_id`, [tenant])).rows;
        }
        stores[tenant] = store;
        tokens[tenant] = (await clientWithToken(db, api, tenant)).token;
      }
    });
    after(async () => {
      await api?.close();
      await db?.close();
    });

    test('all 41 endpoints on both bases answer with the right envelope, headers and records', async (t) => {
      assert.equal(ENDPOINTS.length, 41);
      const validators = officialResponseValidators();
      let checked = 0;
      for (const tenant of ['fixture', 'demo']) {
        for (const version of VERSIONS) {
          for (const ep of ENDPOINTS) {
            const sets = ep.single ? [] : parameterSets(ep, stores[tenant]!);
            const singles = ep.single ? expected(ENDPOINTS.find((c) => c.path === ep.path.replace('/{sourcedId}', ''))!, stores[tenant]!, {}).slice(0, 3) : [];
            for (const params of ep.single ? singles.map((id) => ({ sourcedId: id })) : sets) {
              const url = `${api.url}${BASE_PATH[version]}${fill(ep.path, params)}${ep.single ? '' : '?limit=10000'}`;
              const res = await get(url, tokens[tenant]);
              assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body)}`);
              assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
              const body = res.body[ep.key];
              if (ep.single) {
                assert.equal(body.sourcedId, params.sourcedId, url);
                assert.equal(res.headers.get('x-total-count'), '1');
              } else {
                const want = expected(ep, stores[tenant]!, params);
                assert.deepEqual(body.map((r: any) => r.sourcedId).sort(), want, url);
                assert.equal(res.headers.get('x-total-count'), String(want.length), url);
                assert.ok(res.headers.get('link')?.includes('rel="first"'), url);
              }
              for (const r of ep.single ? [body] : body) {
                assert.match(r.dateLastModified, DATE_LAST_MODIFIED);
                if (version === '1.2' && ep.entity === 'users') assert.ok(!('role' in r) && !('orgs' in r), `${url}: 1.1-only fields in 1.2`);
              }
              if (version === '1.2' && validators) {
                const validate = validators(ep.path);
                assert.ok(validate(res.body), `${url}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
              }
              checked++;
            }
          }
        }
      }
      assert.ok(checked > 300, `checked ${checked} responses`);
      if (!validators) t.diagnostic('../shared/openapi is absent (a fresh clone has no ../shared): official 1.2 response validation skipped');
    });

    test('every GUIDRef in every served record resolves on its own endpoint', async () => {
      for (const version of VERSIONS) {
        const hrefs = new Set<string>();
        for (const collection of ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments']) {
          const res = await get(`${api.url}${BASE_PATH[version]}/${collection}?limit=10000`, tokens.demo);
          const walk = (v: any) => {
            if (Array.isArray(v)) v.forEach(walk);
            else if (v && typeof v === 'object') {
              if (typeof v.href === 'string' && v.sourcedId && v.type) hrefs.add(v.href);
              Object.values(v).forEach(walk);
            }
          };
          walk(res.body);
        }
        assert.ok(hrefs.size > 100, `${hrefs.size} distinct references`);
        for (const href of hrefs) {
          assert.ok(href.startsWith(`${api.url}${BASE_PATH[version]}/`), href);
          const res = await get(href, tokens.demo);
          assert.equal(res.status, 200, `${href} does not resolve: ${JSON.stringify(res.body)}`);
        }
      }
    });

    test('Link headers walk every record exactly once and keep the query', async () => {
      for (const version of VERSIONS) {
        const seen: string[] = [];
        let url: string | undefined = `${api.url}${BASE_PATH[version]}/enrollments?limit=37&filter=${encodeURIComponent("role='student'")}&sort=dateLastModified&fields=sourcedId,role`;
        let total = -1;
        while (url) {
          const res = await get(url, tokens.demo);
          assert.equal(res.status, 200);
          total = Number(res.headers.get('x-total-count'));
          for (const r of res.body.enrollments) {
            assert.deepEqual(Object.keys(r).sort(), ['role', 'sourcedId']);
            assert.equal(r.role, 'student');
            seen.push(r.sourcedId);
          }
          const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '');
          url = next?.[1];
          if (url) assert.ok(url.includes('filter=') && url.includes('sort=dateLastModified') && url.includes('fields='), url);
        }
        assert.equal(seen.length, total);
        assert.equal(new Set(seen).size, total, 'no record twice');
        assert.equal(total, stores.demo!.enrollments.filter((e) => e.data.role === 'student').length);
      }
    });

    test('errors and tolerance follow each version', async () => {
      const v11 = `${api.url}${BASE_PATH['1.1']}`;
      const v12 = `${api.url}${BASE_PATH['1.2']}`;
      const t = tokens.fixture;
      let r = await get(`${v11}/users/nobody`, t);
      assert.equal(r.status, 404);
      assert.equal(r.body.statusInfoSet[0].imsx_codeMinor, 'unknown object');
      r = await get(`${v12}/users/nobody`, t);
      assert.equal(r.status, 404);
      assert.equal(r.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue, 'unknownobject');
      r = await get(`${v12}/students/usr-t1`, t);
      assert.equal(r.status, 404, 'a teacher is not a student');
      r = await get(`${v11}/schools/1000000/classes`, t);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { classes: [] });
      assert.equal(r.headers.get('x-total-count'), '0');
      r = await get(`${v12}/schools/1000000/classes`, t);
      assert.equal(r.status, 404);
      r = await get(`${v12}/schools/org-d/classes`, t);
      assert.equal(r.status, 404, 'a district is not a school');
      r = await get(`${v11}/schools/org-s1/students?offset=0&limit%20=100&filter=${encodeURIComponent("status='active'")}`, t);
      assert.equal(r.status, 200, 'unknown parameters are ignored');
      assert.deepEqual(r.body.users.map((u: any) => u.sourcedId), ['a1']);
      r = await get(`${v11}//classes/cls-1/students`, t);
      assert.equal(r.status, 200, 'a doubled slash is tolerated');
      for (const path of ['/lineItems?limit=10000', '/categories', '//classes/cls-1/lineItems/%7B%7Blineitem_id%7D%7D/results', '/resources']) {
        r = await get(`${v11}${path}`, t);
        assert.equal(r.status, 501, path);
        assert.equal(r.body.statusInfoSet[0].imsx_codeMajor, 'unsupported', path);
      }
      r = await get(`${v12}/users?filter=${encodeURIComponent("shoeSize='9'")}`, t);
      assert.equal(r.status, 400);
      assert.equal(r.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue, 'invalid_filter_field');
      r = await get(`${v11}/users?sort=shoeSize`, t);
      assert.equal(r.status, 200);
      assert.equal(r.body.statusInfoSet[0].imsx_codeMinor, 'invalid_sort_field');
      assert.equal(r.body.statusInfoSet[0].imsx_severity, 'warning');
      r = await get(`${v12}/users?fields=shoeSize`, t);
      assert.equal(r.status, 400);
      assert.equal(r.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue, 'invalid_selection_field');
      r = await get(`${v12}/users?limit=0`, t);
      assert.equal(r.status, 400);
      r = await get(`${v11}/users/a1?fields=sourcedId,agents`, t);
      assert.deepEqual(Object.keys(r.body.user).sort(), ['agents', 'sourcedId']);
    });

    test('an unexpected failure is a 500 with a request id and no details', async () => {
      await db.knex.raw('alter table demographics rename to demographics_away');
      try {
        const r = await get(`${api.url}${BASE_PATH['1.2']}/demographics`, tokens.fixture);
        assert.equal(r.status, 500);
        assert.equal(r.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue, 'internal_server_error');
        const id = r.headers.get('x-request-id');
        assert.ok(id && r.body.imsx_description.includes(id));
        assert.ok(!/relation|demographics_away|sql/i.test(r.body.imsx_description), r.body.imsx_description);
      } finally {
        await db.knex.raw('alter table demographics_away rename to demographics');
      }
    });
  });
}
