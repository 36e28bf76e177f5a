import type { PulledRecord } from '../types.js';
import type {
  CleverCourse, CleverDistrict, CleverSchool, CleverSection, CleverStaffRole, CleverTerm, CleverUser, Maybe,
} from './wire.js';

/**
 * Clever v3.0 → canonical OneRoster records, shared by full pulls and event deltas so that the same
 * upstream record always gives the same canonical record (and hash). Pure: no I/O. sourcedIds are
 * Clever's own ids; derived records have deterministic ids (enrollments `<section>-<user>`,
 * placeholder courses `<section>-course`). The choices are explained in README.md.
 */

type Ref = { sourcedId: string; type: string };
const ref = (sourcedId: string, type: string): Ref => ({ sourcedId, type });
const active = (sourcedId: string, data: Record<string, unknown>): PulledRecord => ({ sourcedId, status: 'active', data });

/** A trimmed non-empty string, else undefined (Clever sends `null` and `""` for nothing). */
export function text(v: Maybe<string> | unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

const list = <T>(v: T | undefined): T[] | undefined => (v === undefined ? undefined : [v]);
const uniq = (ids: Array<Maybe<string>>): string[] => [...new Set(ids.map(text).filter((x): x is string => x !== undefined))];

/** `2024-08-20` or `2024-08-20T00:00:00.000Z` → `2024-08-20`. */
export function day(v: Maybe<string>): string | undefined {
  const s = text(v);
  return s && /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : undefined;
}

const GRADES: Record<string, string> = {
  InfantToddler: 'IT', Preschool: 'PR', PreKindergarten: 'PK', TransitionalKindergarten: 'TK', Kindergarten: 'KG',
  PostGraduate: 'PS', Ungraded: 'UG', Other: 'Other',
};

/** Clever's grade (`Kindergarten`, `9`) → the CEDS code OneRoster uses (`KG`, `09`). */
export function cedsGrade(v: Maybe<string>): string | undefined {
  const g = text(v);
  if (g === undefined) return undefined;
  if (/^\d{1,2}$/.test(g)) return g.padStart(2, '0');
  return GRADES[g] ?? g;
}

// ---------------------------------------------------------------------------------------- orgs

export function districtOrg(d: CleverDistrict): PulledRecord {
  return active(d.id, { name: text(d.name) ?? `District ${d.id}`, type: 'district', identifier: text(d.nces_id) });
}

export function schoolOrg(s: CleverSchool): PulledRecord {
  return active(s.id, {
    name: text(s.name),
    type: 'school',
    identifier: text(s.nces_id) ?? text(s.sis_id) ?? text(s.state_id),
    parent: text(s.district) ? ref(s.district, 'org') : undefined,
  });
}

// ------------------------------------------------------------------------------------- terms

export function termSession(t: CleverTerm): PulledRecord {
  const startDate = day(t.start_date);
  const endDate = day(t.end_date);
  return active(t.id, {
    title: text(t.name) ?? (startDate && endDate ? `Term ${startDate} to ${endDate}` : `Term ${t.id}`),
    type: 'term',
    startDate,
    endDate,
    // Clever v3.0 has no school-year object: the year a term ends in is its school year.
    schoolYear: endDate?.slice(0, 4),
  });
}

// ----------------------------------------------------------------------------------- courses

export function courseRecord(c: CleverCourse): PulledRecord {
  return active(c.id, {
    title: text(c.name) ?? text(c.number) ?? `Course ${c.id}`,
    courseCode: text(c.number),
    org: ref(text(c.school) ?? c.district, 'org'),
  });
}

export const placeholderCourseId = (sectionId: string) => `${sectionId}-course`;

/** A section can reach OneRoster only with a term (classes need one). */
export const hasTerm = (s: CleverSection) => text(s.term_id) !== undefined;
/** Sections without a course get a placeholder course of their own. */
export const needsPlaceholderCourse = (s: CleverSection) => text(s.course) === undefined;

/** The course of a section that names none: one per section, named after it, at its school. */
export function placeholderCourse(s: CleverSection): PulledRecord {
  return active(placeholderCourseId(s.id), {
    title: text(s.name) ?? text(s.subject) ?? `Section ${text(s.section_number) ?? text(s.sis_id) ?? s.id}`,
    courseCode: text(s.sis_id) ?? text(s.section_number),
    org: ref(s.school, 'org'),
    metadata: { 'clever.sectionWithoutCourse': s.id },
  });
}

// ------------------------------------------------------------------------------ classes

/** A section as a class. Without a term the record is invalid (terms is empty) and the engine skips it. */
export function sectionClass(s: CleverSection): PulledRecord {
  const course = text(s.course) ?? placeholderCourseId(s.id);
  const term = text(s.term_id);
  return active(s.id, {
    title: text(s.name) ?? `Section ${text(s.section_number) ?? text(s.sis_id) ?? s.id}`,
    classCode: text(s.section_number) ?? text(s.sis_id),
    classType: 'scheduled',
    grades: list(cedsGrade(s.grade)),
    subjects: list(text(s.subject)),
    periods: list(text(s.period)),
    course: ref(course, 'course'),
    school: ref(s.school, 'org'),
    terms: term ? [ref(term, 'academicSession')] : [],
  });
}

// -------------------------------------------------------------------------- enrollments

export const enrollmentId = (sectionId: string, userId: string) => `${sectionId}-${userId}`;

export type Member = { user: string; role: 'teacher' | 'student'; primary?: boolean };

/** A section's teachers (the `teacher` field is the primary one) and students; a user listed as both counts as teacher. */
export function sectionMembers(s: CleverSection): Member[] {
  const primary = text(s.teacher);
  const teachers = uniq([primary, ...(s.teachers ?? [])]);
  const out: Member[] = teachers.map((user) => ({ user, role: 'teacher', primary: user === primary }));
  const seen = new Set(teachers);
  for (const user of uniq(s.students ?? [])) if (!seen.has(user)) out.push({ user, role: 'student' });
  return out;
}

export function enrollmentRecord(s: Pick<CleverSection, 'id' | 'school'>, m: Member): PulledRecord {
  return active(enrollmentId(s.id, m.user), {
    class: ref(s.id, 'class'),
    school: ref(s.school, 'org'),
    user: ref(m.user, 'user'),
    role: m.role,
    primary: m.role === 'teacher' ? m.primary === true : undefined,
  });
}

export function sectionEnrollments(s: CleverSection): PulledRecord[] {
  return sectionMembers(s).map((m) => enrollmentRecord(s, m));
}

// -------------------------------------------------------------------------------- users

const STAFF_ROLES: Array<[RegExp, string]> = [
  [/counsel/i, 'counselor'],
  [/principal/i, 'principal'],
  [/proctor/i, 'proctor'],
  [/\b(aide|para\w*|assistant|interventionist|tutor)\b/i, 'aide'],
  [/superintendent|administrator|\badmin\b|director|\bdean\b|coordinator|\bhead of school\b/i, 'siteAdministrator'],
];

/**
 * Clever "staff" is anyone at a school who is not a teacher. The title (then department, then the
 * staff roles list) picks the OneRoster role; anyone else is an `aide`, the least privileged staff
 * role OneRoster has (1.1 has no plain "staff").
 */
export function staffRole(staff: Pick<CleverStaffRole, 'title' | 'department' | 'roles'>): string {
  for (const hint of [text(staff.title), text(staff.department), ...(staff.roles ?? []).map(text)]) {
    if (!hint) continue;
    for (const [pattern, role] of STAFF_ROLES) if (pattern.test(hint)) return role;
  }
  return 'aide';
}

type Role = { roleType: 'primary' | 'secondary'; role: string; org: Ref };

/** Whether Clever shares an email for this user. */
export const hasEmail = (u: CleverUser) => text(u.email) !== undefined;
export const isStudent = (u: CleverUser) => !!u.roles?.student;
export const isContact = (u: CleverUser) => !!u.roles?.contact;
/** The students a contact is related to. */
export const contactStudents = (u: CleverUser) => uniq((u.roles?.contact?.student_relationships ?? []).map((r) => r?.student));

/**
 * One OneRoster user per Clever user, with a role per Clever role and school: the first role at
 * an org is `primary` there, further ones `secondary`. Students' `agents` (their contacts) come
 * from the caller, since a Clever student record does not name them; contacts' agents are their
 * students. Contacts belong to the district (their record names no school).
 */
export function userRecord(u: CleverUser, studentAgents: readonly string[] = []): PulledRecord {
  const r = u.roles ?? {};
  const roles: Role[] = [];
  const add = (role: string, org: string | undefined) => {
    if (!org || roles.some((x) => x.role === role && x.org.sourcedId === org)) return;
    roles.push({ roleType: roles.some((x) => x.org.sourcedId === org) ? 'secondary' : 'primary', role, org: ref(org, 'org') });
  };
  const schoolsOf = (main: Maybe<string>, all: Maybe<string[]>) => uniq([main, ...(all ?? [])]);
  if (r.student) for (const s of schoolsOf(r.student.school, r.student.schools)) add('student', s);
  if (r.teacher) for (const s of schoolsOf(r.teacher.school, r.teacher.schools)) add('teacher', s);
  if (r.staff) {
    const role = staffRole(r.staff);
    const schools = uniq(r.staff.schools ?? []);
    if (schools.length) for (const s of schools) add(role, s);
    else add(role === 'siteAdministrator' || role === 'principal' ? 'districtAdministrator' : role, u.district);
  }
  if (r.district_admin) add('districtAdministrator', u.district);
  if (r.contact) add('guardian', u.district);

  const sis = text(r.student?.sis_id) ?? text(r.teacher?.sis_id) ?? text(r.contact?.sis_id);
  const state = text(r.student?.state_id) ?? text(r.teacher?.state_id);
  const userIds = [{ type: 'Clever', identifier: u.id }];
  if (sis) userIds.push({ type: 'SIS', identifier: sis });
  if (state) userIds.push({ type: 'state', identifier: state });
  const username = text(r.student?.credentials?.district_username) ?? text(r.teacher?.credentials?.district_username)
    ?? text(r.staff?.credentials?.district_username) ?? text(u.email) ?? sis ?? u.id;
  const agents = uniq([...studentAgents, ...contactStudents(u)]).sort();

  return active(u.id, {
    username,
    userIds,
    enabledUser: true,
    givenName: text(u.name?.first),
    familyName: text(u.name?.last),
    middleName: text(u.name?.middle),
    identifier: text(r.student?.student_number) ?? text(r.student?.sis_id) ?? text(r.teacher?.teacher_number) ?? text(r.teacher?.sis_id)
      ?? text(r.staff?.staff_id) ?? text(r.contact?.sis_id),
    email: text(u.email),
    phone: text(r.contact?.phone),
    agents: agents.length ? agents.map((id) => ref(id, 'user')) : undefined,
    grades: list(cedsGrade(r.student?.grade)),
    roles,
    primaryOrg: roles[0]?.org,
  });
}

export const tombstone = (rec: PulledRecord): PulledRecord => ({ ...rec, status: 'tobedeleted' });
