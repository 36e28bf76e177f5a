import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { createConnection } from '../../src/ingest/connections/connections.js';
import { testConnection } from '../../src/ingest/connections/test-connection.js';
import { registerShippedConnectors } from '../../src/ingest/connectors/all.js';
import { cleverConnector, createCleverConnector } from '../../src/ingest/connectors/clever/connector.js';
import { registerConnector } from '../../src/ingest/connectors/registry.js';
import type { SyncReport } from '../../src/ingest/sync/report.js';
import { runSync } from '../../src/ingest/sync/run-sync.js';
import { APPLY_ORDER, ENTITIES, type EntityName } from '../../src/model/entities.js';
import type { Database } from '../../src/store/db.js';
import { ensureTenant } from '../../src/store/tenants.js';
import { apiReader } from '../helpers/api-reader.js';
import { engines } from '../helpers/engines.js';
import { CleverSimulator, type DistrictData, type SimSection } from '../simulators/clever/index.js';
import { FakeClock } from '../simulators/faults/fake-clock.js';

const log = pino({ level: 'silent' });
const keyRing = KeyRing.fromEnvValue(KeyRing.generateKey());
const CLEVER_ENTITIES: EntityName[] = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'];
registerShippedConnectors();

/** What the store must hold after a full sync, computed from the simulator's own data (not the connector's mapping). */
function expectedIds(d: DistrictData, o: { contacts?: boolean } = {}): Record<EntityName, string[]> {
  const withTerm = d.sections.filter((s) => s.term_id);
  const members = (s: SimSection) => [...new Set([...(s.teacher ? [s.teacher] : []), ...(s.teachers ?? []), ...(s.students ?? [])])];
  const sorted = (xs: string[]) => [...new Set(xs)].sort();
  return {
    orgs: sorted([d.district.id, ...d.schools.map((s) => s.id)]),
    academicSessions: sorted(d.terms.map((t) => t.id)),
    courses: sorted([...d.courses.map((c) => c.id), ...withTerm.filter((s) => !s.course).map((s) => `${s.id}-course`)]),
    classes: sorted(withTerm.map((s) => s.id)),
    users: sorted(d.users.filter((u) => o.contacts !== false || Object.keys(u.roles ?? {}).some((r) => r !== 'contact')).map((u) => u.id)),
    enrollments: sorted(withTerm.flatMap((s) => members(s).map((u) => `${s.id}-${u}`))),
    demographics: [],
  };
}

async function storeIds(db: Database, tenant: string, entity: EntityName, status = 'active'): Promise<string[]> {
  const rows = (await db.knex.raw(`select sourced_id from ${ENTITIES[entity].table} where tenant_id = ? and status = ? order by sourced_id`, [tenant, status])).rows;
  return rows.map((r: { sourced_id: string }) => r.sourced_id).sort();
}

/** sourcedId → "status dateLastModified" for every entity. */
async function snapshot(db: Database, tenant: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of APPLY_ORDER) {
    const rows = (await db.knex.raw(`select sourced_id, status, date_last_modified from ${ENTITIES[e].table} where tenant_id = ?`, [tenant])).rows;
    for (const r of rows) out[`${e}/${r.sourced_id}`] = `${r.status} ${new Date(r.date_last_modified).toISOString()}`;
  }
  return out;
}

const moved = (a: Record<string, string>, b: Record<string, string>) => Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]).sort();
const entity = (r: SyncReport, e: EntityName) => r.entities.find((x) => x.entity === e)!;
const writes = (r: SyncReport) => r.entities.reduce((n, e) => n + e.created + e.updated + e.tombstoned, 0);

for (const engine of engines()) {
  describe(`Clever connector (${engine.name})`, () => {
    let db: Database;
    const deps = () => ({ knex: db.knex, keyRing, log });
    const connect = async (sim: CleverSimulator, tenant: string, o: { config?: Record<string, unknown>; credentials?: Record<string, unknown> } = {}) => {
      await ensureTenant(db.knex, tenant);
      return createConnection(db.knex, {
        tenant, name: 'Clever', provider: 'clever',
        config: { baseUrl: sim.url, tokenUrl: sim.tokenUrl, ...o.config },
        credentials: o.credentials ?? { clientId: sim.clientId, clientSecret: sim.clientSecret },
      }, keyRing);
    };

    before(async () => {
      db = await engine.open();
    });
    after(async () => db?.close());

    test('a district of 10,000+ users: test connection, a full sync brings exactly the district, a second sync moves nothing', async () => {
      const sim = await CleverSimulator.start({ district: { seed: 7, students: 7300, studentsWithoutEmail: 137, sectionsWithoutCourse: 3, sectionsWithoutTerm: 2 } });
      try {
        assert.ok(sim.data.users.length >= 10_000, `${sim.data.users.length} users`);
        const conn = await connect(sim, 'clever-big');
        const tested = await testConnection(deps(), conn.id);
        assert.equal(tested.connection.status, 'success', tested.connection.lastMessage ?? '');
        assert.deepEqual(tested.probes.map((p) => p.entity).sort(), [...CLEVER_ENTITIES].sort());
        assert.ok(sim.hits('/sections', (r) => r.url.searchParams.get('limit') === '1') === 1, 'one request per entity with limit=1');

        const run = await runSync(deps(), conn.id);
        assert.equal(run.outcome, 'success', JSON.stringify(run.entities.map((e) => [e.entity, e.state, e.errors.slice(0, 3)])));
        const want = expectedIds(sim.data);
        for (const e of CLEVER_ENTITIES) assert.deepEqual(await storeIds(db, 'clever-big', e), want[e], `${e}: the store holds exactly the simulated records`);
        assert.ok(want.enrollments.length > 30_000);
        const api = await apiReader(db);
        try {
          for (const e of CLEVER_ENTITIES) assert.deepEqual(await api.ids('clever-big', e), want[e], `${e}: the API serves exactly the simulated records`);
        } finally {
          await api.close();
        }

        // The sharing hint, once; the skipped termless sections, counted and explained.
        assert.deepEqual(entity(run, 'users').notes, ["Clever shares no email for 137 students: ask the district to share student emails in Clever's sharing settings"]);
        assert.equal(entity(run, 'classes').skipped, 2);
        assert.match(entity(run, 'classes').notes!.join('\n'), /2 Clever sections have no term, e\.g\. .*assign a term to these sections/);
        assert.match(entity(run, 'courses').notes!.join('\n'), /3 Clever sections have no course/);

        // A few records, as OneRoster wants them.
        const get = async (table: string, id: string) => (await db.knex.raw(`select data from ${table} where tenant_id = 'clever-big' and sourced_id = ?`, [id])).rows[0]?.data;
        const student = sim.data.users.find((u) => u.roles?.student && u.email && sim.data.users.some((c) => c.roles?.contact?.student_relationships?.some((r) => r.student === u.id)))!;
        const s = await get('users', student.id);
        const school = student.roles!.student!.school!;
        assert.deepEqual(s.roles, [{ roleType: 'primary', role: 'student', org: { sourcedId: school, type: 'org' } }]);
        assert.deepEqual(s.primaryOrg, { sourcedId: school, type: 'org' });
        assert.equal(s.email, student.email);
        assert.equal(s.username, student.roles!.student!.credentials!.district_username);
        assert.ok(s.agents.length >= 1, 'a student names its contacts as agents');
        const contact = await get('users', s.agents[0].sourcedId);
        assert.ok(contact.roles.some((r: { role: string }) => r.role === 'guardian'));
        assert.ok(contact.agents.some((a: { sourcedId: string }) => a.sourcedId === student.id), 'and the contact names the student');
        const both = sim.data.users.find((u) => u.roles?.teacher && u.roles?.staff)!;
        assert.deepEqual((await get('users', both.id)).roles.map((r: { role: string; roleType: string }) => `${r.roleType} ${r.role}`), ['primary teacher', 'primary aide']);
        const counselor = sim.data.users.find((u) => u.roles?.staff?.title === 'Counselor')!;
        assert.equal((await get('users', counselor.id)).roles[0].role, 'counselor');
        const admin = sim.data.users.find((u) => u.roles?.district_admin)!;
        assert.deepEqual((await get('users', admin.id)).roles, [{ roleType: 'primary', role: 'districtAdministrator', org: { sourcedId: sim.districtId, type: 'org' } }]);
        const cotaught = sim.data.sections.find((x) => x.term_id && (x.teachers?.length ?? 0) > 1)!;
        assert.equal((await get('enrollments', `${cotaught.id}-${cotaught.teacher}`)).primary, true);
        assert.equal((await get('enrollments', `${cotaught.id}-${cotaught.teachers![1]}`)).primary, false);
        const cls = await get('classes', cotaught.id);
        assert.deepEqual([cls.title, cls.classCode, cls.terms], [cotaught.name, cotaught.section_number, [{ sourcedId: cotaught.term_id, type: 'academicSession' }]]);
        const term = await get('academic_sessions', sim.data.terms[1].id);
        assert.deepEqual([term.type, term.startDate, term.endDate, term.schoolYear], ['term', '2025-01-06', '2025-06-06', '2025']);

        const before = await snapshot(db, 'clever-big');
        const second = await runSync(deps(), conn.id);
        assert.equal(second.outcome, 'success');
        assert.equal(writes(second), 0);
        assert.deepEqual(moved(before, await snapshot(db, 'clever-big')), [], 'no dateLastModified moved');
      } finally {
        await sim.close();
      }
    });

    test('changes move exactly the changed records; deletions become tombstones through a delta driven by /events', async () => {
      const sim = await CleverSimulator.start({ district: { seed: 11, students: 300, studentsWithoutEmail: 4, sectionsWithoutCourse: 1, sectionsWithoutTerm: 1 }, previousAttributes: 'beside' });
      try {
        const conn = await connect(sim, 'clever-delta', { config: { pageSize: 40 } });
        assert.equal((await runSync(deps(), conn.id)).outcome, 'success');
        const t0 = await snapshot(db, 'clever-delta');
        assert.equal(writes(await runSync(deps(), conn.id)), 0);

        // An old event (before the last sync) with a stale copy must not be applied again.
        const bystander = sim.data.users.find((u) => u.roles?.teacher)!;
        sim.recordEvent('users', 'updated', { ...structuredClone(bystander), name: { first: 'Stale', last: 'Copy' } }, { name: bystander.name }, Date.now() - 2 * 24 * 3600_000);
        // A renamed student, and a student added to a section.
        const renamed = sim.data.users.find((u) => u.roles?.student)!;
        sim.update('users', renamed.id, (u) => (u.name.first = 'Renamed'));
        const section = sim.data.sections.find((x) => x.term_id && x.course)!;
        const joiner = sim.data.users.find((u) => u.roles?.student && !section.students!.includes(u.id) && u.roles.student.school === section.school)!;
        sim.update('sections', section.id, (x: SimSection) => x.students!.push(joiner.id));

        const d1 = await runSync(deps(), conn.id, { kind: 'delta' });
        assert.equal(d1.kind, 'delta');
        assert.equal(d1.outcome, 'success', JSON.stringify(d1.entities));
        const t1 = await snapshot(db, 'clever-delta');
        assert.deepEqual(moved(t0, t1), [`enrollments/${section.id}-${joiner.id}`, `users/${renamed.id}`].sort());
        assert.equal((await db.knex.raw(`select data->>'givenName' as g from users where tenant_id = 'clever-delta' and sourced_id = ?`, [bystander.id])).rows[0].g, bystander.name!.first);

        // A student with a contact leaves the district.
        const leaver = sim.data.users.find((u) => u.roles?.student && sim.data.users.some((c) => c.roles?.contact?.student_relationships?.some((r) => r.student === u.id)))!;
        const theirSections = sim.data.sections.filter((x) => x.term_id && x.students?.includes(leaver.id)).map((x) => x.id);
        const theirContacts = sim.data.users.filter((c) => c.roles?.contact?.student_relationships?.some((r) => r.student === leaver.id)).map((c) => c.id);
        assert.ok(theirSections.length > 0 && theirContacts.length > 0);
        sim.remove('users', leaver.id);
        const d2 = await runSync(deps(), conn.id, { kind: 'delta' });
        assert.equal(d2.outcome, 'success', JSON.stringify(d2.entities));
        const t2 = await snapshot(db, 'clever-delta');
        assert.deepEqual(moved(t1, t2), [
          `users/${leaver.id}`, ...theirContacts.map((c) => `users/${c}`), ...theirSections.map((x) => `enrollments/${x}-${leaver.id}`),
        ].sort());
        assert.ok(t2[`users/${leaver.id}`].startsWith('tobedeleted'));
        for (const x of theirSections) assert.ok(t2[`enrollments/${x}-${leaver.id}`].startsWith('tobedeleted'));
        assert.deepEqual(await storeIds(db, 'clever-delta', 'users', 'tobedeleted'), [leaver.id]);
        const api = await apiReader(db);
        try {
          const delta = await api.records('clever-delta', 'users', `dateLastModified>'${new Date(d2.startedAt).toISOString()}'`);
          assert.deepEqual(delta.filter((u) => u.status === 'tobedeleted').map((u) => u.sourcedId), [leaver.id], 'the deletion is visible in the API\'s delta');
        } finally {
          await api.close();
        }

        // A deleted section tombstones its class and its enrollments.
        const gone = sim.data.sections.find((x) => x.term_id && x.course && x.id !== section.id)!;
        sim.remove('sections', gone.id);
        const d3 = await runSync(deps(), conn.id, { kind: 'delta' });
        assert.equal(d3.outcome, 'success');
        const t3 = await snapshot(db, 'clever-delta');
        const goneMembers = [...new Set([gone.teacher!, ...gone.teachers!, ...gone.students!])].map((u) => `enrollments/${gone.id}-${u}`);
        assert.deepEqual(moved(t2, t3), [`classes/${gone.id}`, ...goneMembers].sort());
        assert.ok(Object.entries(t3).filter(([k]) => moved(t2, t3).includes(k)).every(([, v]) => v.startsWith('tobedeleted')));

        // A full sync afterwards agrees with what the deltas made: nothing moves.
        const full = await runSync(deps(), conn.id);
        assert.equal(full.outcome, 'success');
        assert.equal(writes(full), 0, JSON.stringify(full.entities.map((e) => [e.entity, e.created, e.updated, e.tombstoned])));
        assert.deepEqual(moved(t3, await snapshot(db, 'clever-delta')), []);
        const want = expectedIds(sim.data);
        for (const e of CLEVER_ENTITIES) assert.deepEqual(await storeIds(db, 'clever-delta', e), want[e], e);
      } finally {
        await sim.close();
      }
    });

    test('faults: 429 with X-RateLimit-Reset and a 5xx burst are waited out; a page that keeps failing fails users only; expired tokens are refreshed', async () => {
      const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
      registerConnector(createCleverConnector({ clock, random: () => 0.5 }));
      const sim = await CleverSimulator.start({ district: { seed: 3, students: 120 }, now: () => clock.now() });
      try {
        const conn = await connect(sim, 'clever-faults', { config: { pageSize: 50 } });

        sim.rateLimit({ times: 1, resetInSeconds: 7, when: (r) => r.route === '/sections' });
        sim.serverErrors({ times: 2, status: 503, when: (r) => r.route === '/schools' });
        const first = await runSync(deps(), conn.id);
        assert.equal(first.outcome, 'success', JSON.stringify(first.entities.map((e) => [e.entity, e.errors])));
        assert.equal(sim.hits('/sections', (r) => r.status === 429), 1);
        assert.equal(sim.hits('/schools', (r) => r.status === 503), 2);
        assert.ok(clock.sleeps.some((ms) => ms >= 6_000 && ms <= 8_000), `waited for X-RateLimit-Reset: ${clock.sleeps.filter((ms) => ms > 100)}`);
        const want = expectedIds(sim.data);
        for (const e of CLEVER_ENTITIES) assert.deepEqual(await storeIds(db, 'clever-faults', e), want[e], e);

        // Page 2 of students fails on every attempt: users fail, the rest applies, nothing is lost.
        sim.clearFaults();
        const before = await snapshot(db, 'clever-faults');
        sim.failPage({ route: '/users', query: { role: 'student' }, page: 2 });
        const renamedSection = sim.data.sections[0];
        sim.update('sections', renamedSection.id, (x) => (x.name = `${x.name} (renamed)`));
        const partial = await runSync(deps(), conn.id);
        assert.equal(partial.outcome, 'partial');
        const users = entity(partial, 'users');
        assert.equal(users.state, 'failed');
        assert.match(users.errors.join('\n'), /^users: Clever students, page 2: 500 from Clever: the server failed after 3 attempts \(a problem on Clever's side: try again later/m);
        assert.equal(sim.hits('/users', (r) => r.page === 2 && r.url.searchParams.get('role') === 'student' && r.status === 500), 3, 'three attempts');
        assert.equal(entity(partial, 'classes').updated, 1, 'other entities still apply');
        const after = await snapshot(db, 'clever-faults');
        assert.deepEqual(moved(before, after), [`classes/${renamedSection.id}`]);
        assert.equal(Object.values(after).filter((v) => v.startsWith('tobedeleted')).length, 0, 'nothing tombstoned');

        // The token expires in the middle of a run: a new one is fetched and the run completes.
        sim.clearFaults();
        const tokensBefore = sim.hits('/oauth/tokens');
        sim.expireTokensOn((r) => r.route === '/sections');
        const refreshed = await runSync(deps(), conn.id);
        assert.equal(refreshed.outcome, 'success', JSON.stringify(refreshed.entities.map((e) => [e.entity, e.errors])));
        assert.equal(sim.hits('/oauth/tokens') - tokensBefore, 2, 'the run token, then one refresh');
        assert.ok(sim.hits('/sections', (r) => r.status === 401) >= 1);

        // A district token cannot be refreshed: its 401 says what to do. Wrong client secrets too.
        const direct = await connect(sim, 'clever-faults', { credentials: { districtToken: sim.districtToken() } });
        sim.expireTokens();
        const refused = await runSync(deps(), direct.id);
        assert.equal(refused.outcome, 'failed');
        assert.match(entity(refused, 'users').errors.join('\n'), /401 from Clever: the district token was refused \(the district may have disconnected the application/);
        const wrong = await connect(sim, 'clever-faults', { credentials: { clientId: sim.clientId, clientSecret: 'not-the-secret' } });
        const probe = await testConnection(deps(), wrong.id);
        assert.equal(probe.connection.status, 'error');
        assert.match(probe.connection.lastMessage ?? '', /401 from Clever \(127\.0\.0\.1:\d+\): the client id and secret were refused/);
        assert.ok(!(probe.connection.lastMessage ?? '').includes('not-the-secret'));
      } finally {
        registerConnector(cleverConnector);
        await sim.close();
      }
    });
  });
}
