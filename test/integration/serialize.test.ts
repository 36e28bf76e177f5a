import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { finish, type StoredRecord } from '../../src/api/serialize/shared.js';
import { v1p1 } from '../../src/api/serialize/v1p1.js';
import { v1p2 } from '../../src/api/serialize/v1p2.js';
import type { EntityName } from '../../src/model/entities.js';
import type { Database } from '../../src/store/db.js';
import { engines } from '../helpers/engines.js';
import { sampleRecords } from '../helpers/sample-records.js';
import { officialSchemas } from '../helpers/official-openapi.js';

const SCHEMA: Record<EntityName, string> = {
  orgs: 'OrgDType', academicSessions: 'AcademicSessionDType', courses: 'CourseDType', classes: 'ClassDType',
  users: 'UserDType', enrollments: 'EnrollmentDType', demographics: 'DemographicsDType',
};
const BASE = { v1p1: 'https://rollcall.example.org/ims/oneroster/v1p1', v1p2: 'https://rollcall.example.org/ims/oneroster/rostering/v1p2' };
const DATE_LAST_MODIFIED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const [engine] = engines(); // pure shaping of stored rows: one engine is enough

describe('per-version serializers', () => {
  let db: Database;
  let records = new Map<string, StoredRecord[]>();
  before(async () => {
    db = await engine.open();
    records = await sampleRecords(db);
  });
  after(async () => db?.close());

  const each = (fn: (tenant: string, entity: EntityName, r: StoredRecord) => void) => {
    for (const [key, rows] of records) {
      const [tenant, entity] = key.split('/') as [string, EntityName];
      for (const r of rows) fn(tenant, entity, r);
    }
  };

  test('every 1.2 record validates against 1EdTech\'s official OpenAPI schema', (t) => {
    const schemas = officialSchemas();
    if (!schemas) return t.skip('../shared/openapi is absent (a fresh clone has no ../shared): official schema validation skipped');
    let n = 0;
    each((_tenant, entity, r) => {
      const json = JSON.parse(JSON.stringify(finish(v1p2[entity](r, { baseUrl: BASE.v1p2 }))));
      const validate = schemas(SCHEMA[entity]);
      assert.ok(validate(json), `${entity}/${r.sourced_id}: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${JSON.stringify(json)}`);
      n++;
    });
    assert.ok(n > 1000, `validated ${n} records`);
  });

  test('1.1 users carry role, orgs and username, and no 1.2-only fields; 1.2 users the reverse', () => {
    each((_tenant, entity, r) => {
      if (entity !== 'users') return;
      const u11 = finish(v1p1.users(r, { baseUrl: BASE.v1p1 }));
      assert.ok(typeof u11.role === 'string' && Array.isArray(u11.orgs) && (u11.orgs as unknown[]).length > 0, JSON.stringify(u11));
      assert.equal(typeof u11.username, 'string');
      for (const k of ['roles', 'primaryOrg', 'userProfiles', 'preferredFirstName', 'pronouns']) assert.ok(!(k in u11), k);
      const u12 = finish(v1p2.users(r, { baseUrl: BASE.v1p2 }));
      for (const k of ['role', 'orgs']) assert.ok(!(k in u12), k);
    });
    const admin = records.get('v11/users')!.find((r) => r.sourced_id === 'usr-ad')!;
    assert.equal(v1p1.users(admin, { baseUrl: BASE.v1p1 }).role, 'administrator');
    assert.equal((v1p2.users(admin, { baseUrl: BASE.v1p2 }).roles as Array<{ role: string }>)[0].role, 'districtAdministrator');
  });

  test('what SDS checks: dateLastModified with milliseconds, string booleans, userFlags as stored', () => {
    each((_tenant, entity, r) => {
      const o = v1p1[entity](r, { baseUrl: BASE.v1p1 });
      assert.match(String(o.dateLastModified), DATE_LAST_MODIFIED);
      for (const k of ['enabledUser', 'primary', 'white', 'asian']) if (k in o && o[k] !== undefined) assert.match(String(o[k]), /^(true|false)$/);
    });
    const a1 = v1p1.users(records.get('v11/users')!.find((r) => r.sourced_id === 'a1')!, { baseUrl: BASE.v1p1 });
    assert.deepEqual(a1.metadata, { 'microsoft.userFlags': 'IEP,ELL' });
    assert.deepEqual(a1.agents, [{ href: `${BASE.v1p1}/users/usr-g1`, sourcedId: 'usr-g1', type: 'user' }]);
  });

  test('every GUIDRef resolves to a stored record of the collection its href names', () => {
    const known = new Set<string>();
    const collection: Record<EntityName, string> = { orgs: 'orgs', academicSessions: 'academicSessions', courses: 'courses', classes: 'classes', users: 'users', enrollments: 'enrollments', demographics: 'demographics' };
    for (const [key, rows] of records) {
      const [tenant, entity] = key.split('/') as [string, EntityName];
      for (const r of rows) known.add(`${tenant} ${BASE.v1p2}/${collection[entity]}/${encodeURIComponent(r.sourced_id)}`);
    }
    let refs = 0;
    const walk = (tenant: string, v: unknown) => {
      if (Array.isArray(v)) return v.forEach((x) => walk(tenant, x));
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.href === 'string') {
          refs++;
          assert.ok(known.has(`${tenant} ${o.href}`), `${o.href} does not resolve`);
        }
        Object.values(o).forEach((x) => walk(tenant, x));
      }
    };
    each((tenant, entity, r) => walk(tenant, v1p2[entity](r, { baseUrl: BASE.v1p2 })));
    assert.ok(refs > 3000, `${refs} references checked`);
  });
});
