import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { cleverConnector } from '../../src/ingest/connectors/clever/connector.js';
import { cedsGrade, sectionEnrollments, staffRole, termSession, userRecord } from '../../src/ingest/connectors/clever/map.js';
import type { CleverSection, CleverUser } from '../../src/ingest/connectors/clever/wire.js';
import { ConnectorError } from '../../src/ingest/connectors/core/index.js';
import type { ConnectorContext, PulledRecord } from '../../src/ingest/connectors/types.js';
import type { EntityName } from '../../src/model/entities.js';
import { canonicalProblems } from '../../src/model/canonical.js';
import { CleverSimulator, type SimSection } from '../simulators/clever/index.js';

/** The connector against the simulator, without a store: what it pulls, and the notes it leaves. */
function context(sim: CleverSimulator, over: { config?: Record<string, unknown>; credentials?: Record<string, unknown> } = {}) {
  const notes: string[] = [];
  const ctx: ConnectorContext<any, any> = {
    connectionId: `edge-${Math.random().toString(36).slice(2)}`, tenant: 't', log: pino({ level: 'silent' }), signal: new AbortController().signal, runCache: new Map(),
    config: { baseUrl: sim.url, tokenUrl: sim.tokenUrl, pageSize: 25, ...over.config },
    credentials: over.credentials ?? { clientId: sim.clientId, clientSecret: sim.clientSecret },
    note: (entity, message) => notes.push(`${entity}: ${message}`),
  };
  return { ctx, notes };
}

async function pull(ctx: ConnectorContext<any, any>, entity: EntityName, since?: Date): Promise<PulledRecord[]> {
  const out: PulledRecord[] = [];
  for await (const batch of cleverConnector.pull(ctx, entity, { since })) out.push(...batch);
  return out;
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConnectorError, `expected a ConnectorError, got ${e}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('Clever connector edges (no store)', () => {
  let sim: CleverSimulator;
  before(async () => {
    sim = await CleverSimulator.start({ district: { seed: 5, students: 60 }, otherDistricts: ['5f00aaaa0000000000000001'] });
  });
  after(async () => sim.close());

  test('an application connected to several districts needs districtId, and then reads that district', async () => {
    const plain = context(sim);
    const e = await failure(pull(plain.ctx, 'orgs'));
    assert.match(e.adminMessage, /connected to 2 districts \(.*\): set districtId in the connection settings/);
    const probes = await cleverConnector.test(plain.ctx);
    assert.ok(probes.length === 6 && probes.every((p) => !p.ok && /set districtId/.test(p.message)));

    const chosen = context(sim, { config: { districtId: sim.districtId } });
    const orgs = await pull(chosen.ctx, 'orgs');
    assert.deepEqual(orgs.filter((o) => o.data.type === 'district').map((o) => o.sourcedId), [sim.districtId]);
    assert.ok(sim.requests.some((r) => r.route === '/oauth/tokens' && r.url.searchParams.get('district') === sim.districtId));
    assert.ok((await cleverConnector.test(chosen.ctx)).every((p) => p.ok));
    for (const o of orgs) assert.deepEqual(canonicalProblems('orgs', o.data), []);
  });

  test('without contacts shared: a note, no guardians, no agents; multi-role users keep their other roles', async () => {
    sim.shareContacts = false;
    try {
      const { ctx, notes } = context(sim, { config: { districtId: sim.districtId } });
      const users = await pull(ctx, 'users');
      assert.match(notes.join('\n'), /users: Clever shares no contacts with this application/);
      assert.ok(users.every((u) => !(u.data.agents as unknown[] | undefined)?.length));
      const teacherParent = sim.data.users.find((u) => u.roles?.teacher && u.roles?.contact)!;
      assert.ok(users.some((u) => u.sourcedId === teacherParent.id));
      assert.ok(!users.some((u) => (u.data.roles as Array<{ role: string }>).every((r) => r.role === 'guardian')));
    } finally {
      sim.shareContacts = true;
    }
  });

  test('a delta older than the 30 days of events asks for a full sync; events turned off say so', async () => {
    const { ctx } = context(sim, { config: { districtId: sim.districtId } });
    const old = await failure(pull(ctx, 'users', new Date(Date.now() - 31 * 24 * 3600_000)));
    assert.match(old.adminMessage, /Clever keeps events for 30 days only.*run a full sync/);
    sim.fault({ when: (r) => r.route === '/events', fault: { kind: 'status', status: 404, json: { message: 'Not Found' } } });
    try {
      const off = await failure(pull(context(sim, { config: { districtId: sim.districtId } }).ctx, 'users', new Date(Date.now() - 3600_000)));
      assert.match(off.adminMessage, /events are not available to this application \(turn on events/);
    } finally {
      sim.clearFaults();
    }
  });

  test('section events regenerate enrollments (previous_attributes inside data): removed members become tombstones', async () => {
    const since = new Date(Date.now() - 1000);
    const section = sim.data.sections.find((s) => s.term_id && (s.students?.length ?? 0) > 2)!;
    const [leaving, ...staying] = section.students!;
    sim.update('sections', section.id, (x: SimSection) => (x.students = staying));
    const { ctx } = context(sim, { config: { districtId: sim.districtId } });
    const enrollments = await pull(ctx, 'enrollments', since);
    const byId = new Map(enrollments.map((e) => [e.sourcedId, e.status]));
    assert.equal(byId.get(`${section.id}-${leaving}`), 'tobedeleted');
    for (const s of staying) assert.equal(byId.get(`${section.id}-${s}`), 'active');
    assert.equal(byId.get(`${section.id}-${section.teacher}`), 'active');
    const classes = await pull(ctx, 'classes', since);
    assert.deepEqual(classes.map((c) => c.sourcedId), [section.id]);
    assert.deepEqual(await pull(ctx, 'orgs', since), [], 'nothing else changed');
  });

  test('mapping details', () => {
    assert.deepEqual(['Kindergarten', '1', '9', '12', 'PreKindergarten', 'Ungraded', '', null].map((g) => cedsGrade(g)), ['KG', '01', '09', '12', 'PK', 'UG', undefined, undefined]);
    assert.deepEqual(
      ['School Counselor', 'Assistant Principal', 'Administrative Assistant', 'Paraprofessional', 'Director of Technology', 'Librarian', null].map((title) => staffRole({ title })),
      ['counselor', 'principal', 'aide', 'aide', 'siteAdministrator', 'aide', 'aide'],
    );
    assert.equal(staffRole({ title: 'Staff', department: 'Counseling' }), 'counselor');
    const term = termSession({ id: 't1', district: 'd', name: null, start_date: '2025-01-06T00:00:00.000Z', end_date: '2025-06-06T00:00:00.000Z' });
    assert.deepEqual(term.data, { title: 'Term 2025-01-06 to 2025-06-06', type: 'term', startDate: '2025-01-06', endDate: '2025-06-06', schoolYear: '2025' });
    const section: CleverSection = { id: 's1', district: 'd', school: 'k', teacher: 'a', teachers: ['b', 'a'], students: ['c', 'b', 'c'], term_id: 't1' };
    assert.deepEqual(sectionEnrollments(section).map((e) => [e.sourcedId, e.data.role, e.data.primary]), [['s1-a', 'teacher', true], ['s1-b', 'teacher', false], ['s1-c', 'student', undefined]]);
    const contact: CleverUser = { id: 'p1', district: 'd', name: { first: 'Pat', last: 'Lee' }, roles: { contact: { student_relationships: [{ student: 'z' }, { student: 'y' }] } } };
    const rec = userRecord(contact);
    assert.deepEqual([rec.data.roles, rec.data.agents, rec.data.primaryOrg], [
      [{ roleType: 'primary', role: 'guardian', org: { sourcedId: 'd', type: 'org' } }], [{ sourcedId: 'y', type: 'user' }, { sourcedId: 'z', type: 'user' }], { sourcedId: 'd', type: 'org' },
    ]);
    assert.deepEqual(canonicalProblems('users', rec.data), []);
  });
});
