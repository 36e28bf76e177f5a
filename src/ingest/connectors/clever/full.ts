import type { EntityName } from '../../../model/entities.js';
import { isConnectorError } from '../core/index.js';
import type { PulledRecord } from '../types.js';
import {
  contactStudents, courseRecord, day, districtOrg, hasEmail, hasTerm, isStudent, needsPlaceholderCourse, placeholderCourse, schoolOrg,
  sectionClass, sectionEnrollments, termSession, userRecord,
} from './map.js';
import {
  contactsNotSharedNote, datelessTermsNote, missingEmailHint, note, placeholderCoursesNote, termlessClassesNote, termlessEnrollmentsNote,
} from './notes.js';
import type { CleverCtx, CleverSession } from './session.js';
import type { CleverCourse, CleverDistrict, CleverRole, CleverSchool, CleverTerm, CleverUser } from './wire.js';

const BATCH = 2_000;

function* chunks<T>(items: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Every record of an entity, as Clever has it now. */
export function pullFull(s: CleverSession, ctx: CleverCtx, entity: EntityName): AsyncGenerator<PulledRecord[]> {
  switch (entity) {
    case 'orgs': return pullOrgs(s);
    case 'academicSessions': return pullTerms(s, ctx);
    case 'courses': return pullCourses(s, ctx);
    case 'classes': return pullClasses(s, ctx);
    case 'enrollments': return pullEnrollments(s, ctx);
    case 'users': return pullUsers(s, ctx);
    default: return (async function* () {})();
  }
}

async function* pullOrgs(s: CleverSession): AsyncGenerator<PulledRecord[]> {
  const districts = await s.all<CleverDistrict>('districts', 'districts');
  yield districts.filter((d) => !s.districtId || d.id === s.districtId).map(districtOrg);
  for await (const page of s.pages<CleverSchool>('schools', 'schools')) yield page.map(schoolOrg);
}

async function* pullTerms(s: CleverSession, ctx: CleverCtx): AsyncGenerator<PulledRecord[]> {
  const dateless: string[] = [];
  for await (const page of s.pages<CleverTerm>('terms', 'terms')) {
    for (const t of page) if (!day(t.start_date) || !day(t.end_date)) dateless.push(t.id);
    yield page.map(termSession);
  }
  if (dateless.length) note(ctx, 'academicSessions', datelessTermsNote(dateless));
}

async function* pullCourses(s: CleverSession, ctx: CleverCtx): AsyncGenerator<PulledRecord[]> {
  for await (const page of s.pages<CleverCourse>('courses', 'courses')) yield page.map(courseRecord);
  const courseless = (await s.sections()).filter((x) => hasTerm(x) && needsPlaceholderCourse(x));
  for (const batch of chunks(courseless)) yield batch.map(placeholderCourse);
  if (courseless.length) note(ctx, 'courses', placeholderCoursesNote(courseless));
}

async function* pullClasses(s: CleverSession, ctx: CleverCtx): AsyncGenerator<PulledRecord[]> {
  const sections = await s.sections();
  // Sections without a term are yielded too: the engine skips them as invalid and counts them.
  for (const batch of chunks(sections)) yield batch.map(sectionClass);
  const termless = sections.filter((x) => !hasTerm(x));
  if (termless.length) note(ctx, 'classes', termlessClassesNote(termless));
}

async function* pullEnrollments(s: CleverSession, ctx: CleverCtx): AsyncGenerator<PulledRecord[]> {
  const sections = await s.sections();
  let batch: PulledRecord[] = [];
  let skippedSections = 0;
  let skippedEnrollments = 0;
  for (const section of sections) {
    const records = sectionEnrollments(section);
    if (!hasTerm(section)) {
      skippedSections++;
      skippedEnrollments += records.length;
      continue;
    }
    batch.push(...records);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
  if (skippedEnrollments) note(ctx, 'enrollments', termlessEnrollmentsNote(skippedSections, skippedEnrollments));
}

const LABEL: Record<CleverRole, string> = { student: 'students', teacher: 'teachers', staff: 'staff', district_admin: 'district admins', contact: 'contacts' };

/**
 * Users, role by role (a user with several roles comes once, with all of them). Contacts are read
 * first so that each student can name its contacts as agents; they are yielded last.
 */
async function* pullUsers(s: CleverSession, ctx: CleverCtx): AsyncGenerator<PulledRecord[]> {
  const contacts: CleverUser[] = [];
  try {
    for await (const page of s.pages<CleverUser>('users', LABEL.contact, { role: 'contact' })) contacts.push(...page);
  } catch (err) {
    if (!(isConnectorError(err) && (err.status === 403 || err.status === 404))) throw err;
    note(ctx, 'users', contactsNotSharedNote());
  }
  const agentsOf = new Map<string, string[]>();
  for (const c of contacts) {
    for (const student of contactStudents(c)) {
      const list = agentsOf.get(student);
      if (list) list.push(c.id);
      else agentsOf.set(student, [c.id]);
    }
  }
  const done = new Set<string>();
  let withoutEmail = 0;
  const map = (page: CleverUser[]) => {
    const out: PulledRecord[] = [];
    for (const u of page) {
      if (done.has(u.id)) continue;
      done.add(u.id);
      if (isStudent(u) && !hasEmail(u)) withoutEmail++;
      out.push(userRecord(u, agentsOf.get(u.id)));
    }
    return out;
  };
  for (const role of ['student', 'teacher', 'staff', 'district_admin'] as const) {
    for await (const page of s.pages<CleverUser>('users', LABEL[role], { role })) yield map(page);
  }
  for (const batch of chunks(contacts)) yield map(batch);
  if (withoutEmail) note(ctx, 'users', missingEmailHint(withoutEmail));
}
