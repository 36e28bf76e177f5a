import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { renderRecordSql, type RenderOptions } from '../../src/api/render/render-sql.js';
import { SHAPES } from '../../src/api/render/record-shapes.js';
import { maskRecord } from '../../src/api/oneroster/sharing-scope.js';
import { COLLECTION_OF, finish, guidRef, sdsUserFlags, type StoredRecord } from '../../src/api/serialize/shared.js';
import { v1p1 } from '../../src/api/serialize/v1p1.js';
import { v1p2 } from '../../src/api/serialize/v1p2.js';
import { SHARE_EVERYTHING, type Sharing } from '../../src/auth/sharing.js';
import { ENTITIES, type EntityName } from '../../src/model/entities.js';
import type { OneRosterVersion } from '../../src/model/vocab.js';
import type { Database } from '../../src/store/db.js';
import { engines } from '../helpers/engines.js';
import { sampleRecords } from '../helpers/sample-records.js';

const BASE: Record<OneRosterVersion, string> = {
  '1.1': 'https://rollcall.example.org/ims/oneroster/v1p1',
  '1.2': 'https://rollcall.example.org/ims/oneroster/rostering/v1p2',
};
const SERIALIZERS = { '1.1': v1p1, '1.2': v1p2 };
const VERSIONS: OneRosterVersion[] = ['1.1', '1.2'];

/** Records the CSV import would refuse but a connector may write: odd ids, odd flags, nulls, non-boolean booleans. */
const EDGE_TENANT = 'edge';
const EDGE_USERS: Array<[string, Record<string, unknown>]> = [
  ['usr ü/ä"\\?#&=+', {
    givenName: 'Zoë "Z"', familyName: 'O\'Neil\\', enabledUser: 'false', username: null, middleName: null,
    roles: [
      { roleType: 'primary', role: 'principal', org: { sourcedId: 'org a/b', type: 'org' }, userProfile: null },
      { roleType: 'secondary', role: 'teacher', org: { sourcedId: 'org-2', type: 'org' }, beginDate: '2026-08-01' },
      { roleType: 'secondary', role: 'aide', org: { sourcedId: 'org a/b', type: 'org' } },
    ],
    primaryOrg: { sourcedId: 'org-2', type: 'org' }, agents: [{ sourcedId: 'g 1', type: 'user' }],
    metadata: { 'microsoft.userFlags': ' iep ; ELL,reducedLunch, IEP', note: 'x' },
  }],
  ['u-flags-unknown', { givenName: 'A', familyName: 'B', roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 'org-2', type: 'org' } }], metadata: { 'microsoft.userFlags': 'reducedLunch' } }],
  ['u-flags-array', { givenName: 'A', familyName: 'B', enabledUser: 0, roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 'org-2', type: 'org' } }], metadata: { 'microsoft.userFlags': ['IEP'] }, agents: [] }],
  ['u-empty-meta', { givenName: 'A', familyName: 'B', enabledUser: '', roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 'org-2', type: 'org' } }], metadata: {}, grades: ['09', '10'] }],
  ['u-null-agents', { givenName: 'N', familyName: 'A', roles: [{ roleType: 'primary', role: 'teacher', org: { sourcedId: 'org-2', type: 'org' } }], agents: null }],
  // Refs of another type than their property nearly always holds, one and two of them and more.
  ['u-agent-types', { givenName: 'T', familyName: 'Y', roles: [{ roleType: 'primary', role: 'guardian', org: { sourcedId: 'c-1', type: 'class' } }], agents: [{ sourcedId: 'g-2', type: 'user' }, { sourcedId: 'org-2', type: 'org' }] }],
  ['u-agent-many', { givenName: 'M', familyName: 'Y', roles: [{ roleType: 'primary', role: 'guardian', org: { sourcedId: 'org-2', type: 'org' } }], agents: [{ sourcedId: 'g-2', type: 'user' }, { sourcedId: 'x y', type: 'course' }, { sourcedId: 'g-3', type: 'thing' }] }],
  ['u-one-role-odd-org', { givenName: 'R', familyName: 'O', roles: [{ roleType: 'primary', role: 'teacher', org: { sourcedId: 'org a/b', type: 'org' } }] }],
  ['u-agent-one', { givenName: 'O', familyName: 'Y', roles: [{ roleType: 'primary', role: 'guardian', org: { sourcedId: 'org-2', type: 'org' } }], primaryOrg: { sourcedId: 'g-2', type: 'user' }, agents: [{ sourcedId: 'ay-1', type: 'academicSession' }] }],
];

/** Enrollments whose refs' ids need encoding or escaping, or whose type is not one of OneRoster's (the refs are rendered from extracted columns). */
const EDGE_ENROLLMENTS: Array<[string, Record<string, unknown>]> = [
  ['e-odd-ids', { role: 'student', primary: false, user: { sourcedId: 'g 1/ü', type: 'user' }, class: { sourcedId: 'cls"x\\y', type: 'class' }, school: { sourcedId: 'org-2', type: 'org' } }],
  ['e-odd-type', { role: 'teacher', primary: 'yes', user: { sourcedId: 'u-1', type: 'widget' }, class: { sourcedId: 'c-1', type: 'class' }, school: { sourcedId: "it's (ok)!*~", type: 'org' } }],
  ['e-other-type', { role: 'student', primary: true, user: { sourcedId: 'u-1', type: 'user' }, class: { sourcedId: 'c-1', type: 'course' }, school: { sourcedId: 'ay 2', type: 'academicSession' } }],
];

/** User flags as sources write them: canonical lists (some with a flag twice), odd spellings and separators, unknown flags. */
function flagSamples(): string[] {
  const known = ['freeLunch', 'homeless', 'giftedOrTalented', '504', 'ELL', 'LEP', 'IEP'];
  const canonical = fc.array(fc.constantFrom(...known), { minLength: 1, maxLength: 4 }).map((f) => f.join(','));
  const token = fc.oneof(fc.constantFrom('iep', 'IEP', ' ELL', 'lep ', 'freelunch', 'Homeless', '504', 'giftedOrTalented', 'reducedLunch', ''), fc.string({ maxLength: 5 }));
  const messy = fc.array(fc.tuple(token, fc.constantFrom(',', ';', ', ', ' ;')), { maxLength: 6 }).map((parts) => parts.map(([t, s]) => t + s).join(''));
  return fc.sample(fc.oneof(canonical, messy).filter((s) => !s.includes('\0')), { numRuns: 400, seed: 11 });
}

/** Users holding the flag samples, half of them with another metadata key beside the flags. */
const flagUsers = (): Array<[string, Record<string, unknown>]> =>
  flagSamples().map((f, i) => [`u-flags-${String(i).padStart(3, '0')}`, {
    givenName: 'F', familyName: 'G', roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 'org-2', type: 'org' } }],
    metadata: { 'microsoft.userFlags': f, ...(i % 2 ? { other: 'kept' } : {}) },
  }]);

for (const engine of engines()) {
  describe(`records rendered in SQL equal the TypeScript serializers (${engine.name})`, () => {
    let db: Database;
    let records = new Map<string, StoredRecord[]>();
    before(async () => {
      db = await engine.open();
      records = await sampleRecords(db);
      await db.knex.raw(`insert into tenants (id, name) values (?, ?)`, [EDGE_TENANT, 'Edge cases']);
      /** Stores records of one entity under the edge tenant, its extracted columns computed from `data` as an import would. */
      const store = async (entity: EntityName, rows: Array<[string, Record<string, unknown>]>) => {
        const { table, columns } = ENTITIES[entity];
        const names = Object.keys(columns).map((c) => `, ${c}`).join('');
        const exprs = Object.values(columns).map((e) => `, ${e}`).join('');
        for (const [id, data] of rows) {
          await db.knex.raw(
            `insert into ${table} (tenant_id, sourced_id, status, date_last_modified, content_hash, source, data${names})
             select ?, ?, 'active', '2026-12-05T10:00:00.5Z', 'h', 'test', data${exprs} from (select cast(? as jsonb) as data) d`,
            [EDGE_TENANT, id, JSON.stringify(data)],
          );
        }
        records.set(`${EDGE_TENANT}/${entity}`, (await db.knex.raw(`select sourced_id, status, date_last_modified, data from ${table} where tenant_id = ? order by sourced_id`, [EDGE_TENANT])).rows);
      };
      await store('users', [...EDGE_USERS, ...flagUsers()]);
      await store('enrollments', EDGE_ENROLLMENTS);
    });
    after(async () => db?.close());

    /** What the TypeScript serializers give for every record of a tenant and entity, next to what the SQL gives. */
    async function compare(version: OneRosterVersion, key: string, opts: Omit<RenderOptions, 'baseUrl'>) {
      const [tenant, entity] = key.split('/') as [string, EntityName];
      const render = renderRecordSql(entity, version, { ...opts, baseUrl: BASE[version] });
      const rows = (
        await db.knex.raw(`select r.sourced_id, ${render.sql} as json from ${ENTITIES[entity].table} r where r.tenant_id = ? order by r.sourced_id`, [...render.bindings, tenant])
      ).rows as Array<{ sourced_id: string; json: string }>;
      const stored = records.get(key)!;
      assert.equal(rows.length, stored.length, key);
      rows.forEach((row, i) => {
        const want = finish(maskRecord(entity, SERIALIZERS[version][entity](stored[i]!, { baseUrl: BASE[version] }), opts.sharing, opts.visibleOrgs as Set<string> | undefined), opts.fields);
        assert.deepEqual(JSON.parse(row.json), JSON.parse(JSON.stringify(want)), `${version} ${key} ${row.sourced_id}\nSQL: ${row.json}`);
      });
      return rows.length;
    }

    const variants: Array<[string, (entity: EntityName, version: OneRosterVersion) => Omit<RenderOptions, 'baseUrl'>]> = [
      ['everything shared', () => ({ sharing: SHARE_EVERYTHING })],
      ['no guardians, no user flags, masked fields', () => ({
        sharing: { ...SHARE_EVERYTHING, guardians: false, userFlags: false, maskedFields: ['users.email', 'users.userIds', 'orgs.identifier', 'enrollments.beginDate', 'classes.terms', 'demographics.birthDate'] } satisfies Sharing,
      })],
      ['a school-scoped client', () => ({
        sharing: { ...SHARE_EVERYTHING, schools: ['org-school-0001'] },
        visibleOrgs: new Set(['org-school-0001', 'org-district', 's1', 'org-2']),
      })],
      ['fields', (entity, version) => ({ sharing: SHARE_EVERYTHING, fields: SHAPES[version][entity].filter((_, i) => i % 3 !== 1).map((p) => p.key) })],
    ];

    for (const [name, options] of variants) {
      test(`${name}: every record of every entity, both versions`, async () => {
        let n = 0;
        for (const version of VERSIONS) {
          for (const key of records.keys()) n += await compare(version, key, options(key.split('/')[1] as EntityName, version));
        }
        assert.ok(n > 2000, `compared ${n} records`);
      });
    }

    test('user flags: the SQL function respells them as the TypeScript one does', async () => {
      const samples = flagSamples();
      const got = (await db.knex.raw(`select rollcall_sds_user_flags(s) as flags from unnest(?::text[]) with ordinality as t(s, i) order by i`, [samples])).rows as Array<{ flags: string }>;
      samples.forEach((s, i) => assert.equal(got[i]!.flags, sdsUserFlags(s), JSON.stringify(s)));
    });

    test('hrefs: ids are encoded as encodeURIComponent does', async () => {
      const samples = fc.sample(fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0')), { numRuns: 300, seed: 5 });
      samples.push('plain-id_1.2', "it's (ok)!*~", 'a b/c?d#e&f=g+h%', 'Zoë', '日本', '😀');
      const got = (await db.knex.raw(`select rollcall_uri_component(s) as e from unnest(?::text[]) with ordinality as t(s, i) order by i`, [samples])).rows as Array<{ e: string }>;
      samples.forEach((s, i) => assert.equal(got[i]!.e, encodeURIComponent(s), JSON.stringify(s)));
    });

    test('GUIDRefs not written inline: the SQL function gives what the TypeScript serializer does, for every type', async () => {
      const refs = [...Object.keys(COLLECTION_OF), 'widget', null].flatMap((type) =>
        ['plain-id_1.2', 'a b/c?d#e&f=g+h%', 'cls"x\\y', 'Zoë'].map((sourcedId) => ({ sourcedId, type })));
      const got = (await db.knex.raw(
        `select rollcall_guid_ref_tail(r->>'sourcedId', r) as tail from jsonb_array_elements(cast(? as jsonb)) with ordinality as t(r, i) order by i`,
        [JSON.stringify(refs)],
      )).rows as Array<{ tail: string }>;
      const HEAD = '{"href":"'; // then the base URL, here empty, then the function's part
      refs.forEach((ref, i) => assert.equal(HEAD + got[i]!.tail, JSON.stringify(guidRef({ baseUrl: '' }, ref as never)), JSON.stringify(ref)));
    });

    test('dateLastModified keeps its milliseconds, also when they are zero', async () => {
      const render = renderRecordSql('orgs', '1.1', { baseUrl: BASE['1.1'], sharing: SHARE_EVERYTHING, fields: ['dateLastModified'] });
      for (const ts of ['2026-12-05T10:00:00.000Z', '2026-12-05T10:00:00.5Z', '2026-01-31T23:59:59.999Z', '2027-06-01T00:00:00.010Z']) {
        const row = (await db.knex.raw(`select ${render.sql} as json from (select cast(? as timestamptz) as date_last_modified) r`, [...render.bindings, ts])).rows[0];
        assert.equal(JSON.parse(row.json).dateLastModified, new Date(ts).toISOString());
      }
    });
  });
}
