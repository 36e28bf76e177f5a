import type { EntityName } from '../../../model/entities.js';
import { isConnectorError } from '../core/index.js';
import type { PulledRecord } from '../types.js';
import {
  contactStudents, courseRecord, districtOrg, enrollmentRecord, hasEmail, hasTerm, isContact, isStudent, needsPlaceholderCourse,
  placeholderCourse, schoolOrg, sectionClass, sectionMembers, termSession, text, tombstone, userRecord, type Member,
} from './map.js';
import { missingEmailHint, note, placeholderCoursesNote, termlessClassesNote } from './notes.js';
import { rephrase, type CleverCtx, type CleverSession } from './session.js';
import type {
  CleverCourse, CleverDistrict, CleverEvent, CleverSchool, CleverSection, CleverTerm, CleverUser, EventRecordType,
} from './wire.js';

/** Clever keeps events for 30 days. */
export const EVENT_RETENTION_MS = 30 * 24 * 3600_000;

/** The newest state of one record changed in the window, with what its earlier states held. */
export interface Change {
  type: EventRecordType;
  id: string;
  deleted: boolean;
  object: Record<string, unknown>;
  /** Sections: users who were members at some point of the window (from previous_attributes). */
  formerStudents: Set<string>;
  formerTeachers: Set<string>;
  /** Contacts: students they were related to at some point of the window. */
  formerRelated: Set<string>;
}

export type Changes = Map<string, Change>;

const previousOf = (e: CleverEvent) => (e.data?.previous_attributes ?? e.previous_attributes ?? undefined) as Record<string, unknown> | undefined;
const ids = (v: unknown): string[] => (Array.isArray(v) ? v.map(text).filter((x): x is string => x !== undefined) : []);

/**
 * The events after `since`, folded to one change per record. Clever's events cannot be asked for
 * by time: they are read from the oldest kept, oldest first (`starting_after` paging), and those
 * created before `since` are passed over. Read once per run, for every entity.
 */
export function changesSince(s: CleverSession, since: Date): Promise<Changes> {
  return s.memo(`events:${since.getTime()}`, () => readChanges(s, since));
}

async function readChanges(s: CleverSession, since: Date): Promise<Changes> {
  const now = s.http.clock.now();
  if (since.getTime() < now - EVENT_RETENTION_MS) {
    throw s.http.error({
      entity: 'events', attempts: 0, retryable: false, category: 'rejected',
      adminMessage: `the last successful sync started ${since.toISOString()}, and Clever keeps events for 30 days only: the changes since then cannot be read as a delta; run a full sync (rollcall sync without --delta)`,
      technical: { detail: `since ${since.toISOString()}, now ${new Date(now).toISOString()}` },
    });
  }
  const changes: Changes = new Map();
  try {
    for await (const page of s.pages<CleverEvent>('events', 'events')) {
      for (const e of page) {
        const created = Date.parse(e.created);
        if (!Number.isNaN(created) && created <= since.getTime()) continue;
        fold(changes, e);
      }
    }
  } catch (err) {
    if (isConnectorError(err) && (err.status === 403 || err.status === 404)) {
      throw rephrase(err, `${err.status} from Clever on /events: events are not available to this application (turn on events for it in the Clever dashboard, or run full syncs only)`);
    }
    throw err;
  }
  return changes;
}

function fold(changes: Changes, e: CleverEvent): void {
  const [type, action] = String(e.type).split('.') as [EventRecordType, string];
  const object = e.data?.object;
  if (!object || typeof object.id !== 'string' || !['created', 'updated', 'deleted'].includes(action)) return;
  const id = object.id;
  const key = `${type}:${id}`;
  const prev = changes.get(key);
  const change: Change = {
    type, id, deleted: action === 'deleted', object,
    formerStudents: prev?.formerStudents ?? new Set(), formerTeachers: prev?.formerTeachers ?? new Set(), formerRelated: prev?.formerRelated ?? new Set(),
  };
  const before = previousOf(e);
  if (before) {
    for (const u of ids(before.students)) change.formerStudents.add(u);
    for (const u of ids(before.teachers)) change.formerTeachers.add(u);
    if (text(before.teacher)) change.formerTeachers.add(text(before.teacher)!);
    const roles = before.roles as { contact?: { student_relationships?: Array<{ student?: unknown }> } } | undefined;
    for (const r of roles?.contact?.student_relationships ?? []) if (text(r?.student)) change.formerRelated.add(text(r.student)!);
  }
  changes.delete(key); // keep the map in the order of each record's last event
  changes.set(key, change);
}

const ofType = <T>(changes: Changes, type: EventRecordType) =>
  [...changes.values()].filter((c) => c.type === type) as Array<Change & { object: T & Record<string, unknown> }>;

const apply = (rec: PulledRecord, deleted: boolean) => (deleted ? tombstone(rec) : rec);

/** What changed upstream since `since`, from Clever's events, mapped exactly as a full pull maps it. */
export async function* pullDelta(s: CleverSession, ctx: CleverCtx, entity: EntityName, since: Date): AsyncGenerator<PulledRecord[]> {
  const changes = await changesSince(s, since);
  switch (entity) {
    case 'orgs':
      yield [
        ...ofType<CleverDistrict>(changes, 'districts').filter((c) => !s.districtId || c.id === s.districtId).map((c) => apply(districtOrg(c.object), c.deleted)),
        ...ofType<CleverSchool>(changes, 'schools').map((c) => apply(schoolOrg(c.object), c.deleted)),
      ];
      return;
    case 'academicSessions':
      yield ofType<CleverTerm>(changes, 'terms').map((c) => apply(termSession(c.object), c.deleted));
      return;
    case 'courses':
      yield [...ofType<CleverCourse>(changes, 'courses').map((c) => apply(courseRecord(c.object), c.deleted)), ...placeholderChanges(ctx, changes)];
      return;
    case 'classes':
      yield classChanges(ctx, changes);
      return;
    case 'enrollments':
      yield enrollmentChanges(changes);
      return;
    case 'users':
      yield* userChanges(s, ctx, changes);
      return;
    default:
      return;
  }
}

function sectionChanges(changes: Changes) {
  return ofType<CleverSection>(changes, 'sections');
}

/**
 * Placeholder courses follow their section: one appears (or stays) while the section has a term and
 * no course, and goes when the section is deleted or gets a course. (A section that loses its term
 * keeps its stored class and placeholder until the next full sync sweeps them.)
 */
function placeholderChanges(ctx: CleverCtx, changes: Changes): PulledRecord[] {
  const out: PulledRecord[] = [];
  const added: CleverSection[] = [];
  for (const c of sectionChanges(changes)) {
    const s = c.object;
    if (!needsPlaceholderCourse(s)) {
      if (c.deleted) continue;
      // The section may have had a placeholder before it got its course: retire it (no-op if none).
      out.push(tombstone(placeholderCourse(s)));
    } else if (c.deleted) {
      out.push(tombstone(placeholderCourse(s)));
    } else if (hasTerm(s)) {
      out.push(placeholderCourse(s));
      added.push(s);
    }
  }
  if (added.length) note(ctx, 'courses', placeholderCoursesNote(added));
  return out;
}

function classChanges(ctx: CleverCtx, changes: Changes): PulledRecord[] {
  const out: PulledRecord[] = [];
  const termless: CleverSection[] = [];
  for (const c of sectionChanges(changes)) {
    if (!hasTerm(c.object)) {
      // Never stored while termless; a class that lost its term stays until the next full sync.
      if (!c.deleted) {
        termless.push(c.object);
        out.push(sectionClass(c.object)); // invalid: the engine skips and counts it
      }
      continue;
    }
    out.push(apply(sectionClass(c.object), c.deleted));
  }
  if (termless.length) note(ctx, 'classes', termlessClassesNote(termless));
  return out;
}

/**
 * A changed section's enrollments are generated again: its members now, and tombstones for every
 * user it had earlier in the window (previous_attributes) and has no more; a deleted section
 * tombstones all of them.
 */
function enrollmentChanges(changes: Changes): PulledRecord[] {
  const out: PulledRecord[] = [];
  for (const c of sectionChanges(changes)) {
    const s = c.object;
    if (!hasTerm(s)) continue; // never stored while termless
    const now = c.deleted ? [] : sectionMembers(s);
    const gone: Member[] = c.deleted ? sectionMembers(s) : [];
    out.push(...now.map((m) => enrollmentRecord(s, m)), ...gone.map((m) => tombstone(enrollmentRecord(s, m))));
    const current = new Set([...now, ...gone].map((m) => m.user));
    for (const u of c.formerTeachers) if (!current.has(u)) out.push(tombstone(enrollmentRecord(s, { user: u, role: 'teacher', primary: false })));
    for (const u of c.formerStudents) if (!current.has(u) && !c.formerTeachers.has(u)) out.push(tombstone(enrollmentRecord(s, { user: u, role: 'student' })));
  }
  return out;
}

/**
 * Changed users, mapped as in a full pull. A student's agents are its contacts, which its own
 * record does not name: they are read from `/users/{id}/mycontacts`. A changed contact changes its
 * students' agents too, so those students are read again.
 */
async function* userChanges(s: CleverSession, ctx: CleverCtx, changes: Changes): AsyncGenerator<PulledRecord[]> {
  const users = ofType<CleverUser>(changes, 'users');
  const changed = new Set(users.map((c) => c.id));
  const affected = new Set<string>();
  for (const c of users) {
    if (!isContact(c.object) && c.formerRelated.size === 0) continue;
    for (const st of [...contactStudents(c.object), ...c.formerRelated]) if (!changed.has(st)) affected.add(st);
  }
  let withoutEmail = 0;
  const record = async (u: CleverUser) => {
    if (isStudent(u) && !hasEmail(u)) withoutEmail++;
    return userRecord(u, isStudent(u) ? await s.contactIdsOf(u.id) : []);
  };
  let batch: PulledRecord[] = [];
  for (const c of users) {
    batch.push(c.deleted ? tombstone(userRecord(c.object)) : await record(c.object));
    if (batch.length >= 500) {
      yield batch;
      batch = [];
    }
  }
  for (const id of affected) {
    const u = await s.one<CleverUser>(`users/${encodeURIComponent(id)}`, 'students');
    if (u) batch.push(await record(u));
    if (batch.length >= 500) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
  if (withoutEmail) note(ctx, 'users', missingEmailHint(withoutEmail));
}
