import type { EntityName } from '../../model/entities.js';
import type { SqlFragment } from '../../query/compile-filter.js';

/**
 * Which scope an endpoint needs (spec/oneroster.md §6.1): `core` = roster-core or roster,
 * `roster` = roster only (the relationship endpoints), `demographics` = roster-demographics only.
 */
export type ScopeClass = 'core' | 'roster' | 'demographics';

/** A condition over the row alias `r`, given the path parameters and the tenant. */
export type Condition = (p: Record<string, string>, tenant: string) => SqlFragment;

/** A path parameter that names a parent record, which must exist (and be visible) for the endpoint to answer. */
export type Parent = { param: string; entity: EntityName; where?: Condition };

export type Endpoint = {
  operationId: string;
  /** The 1.2 path template (the same routes serve 1.1; parameter names do not reach the wire). */
  path: string;
  entity: EntityName;
  /** The JSON envelope key. */
  key: string;
  single: boolean;
  scope: ScopeClass;
  /** The endpoint's own restriction: /schools are orgs of type school, /classes/{id}/students… */
  where: Condition[];
  parents: Parent[];
};

const sql = (text: string, ...bindings: string[]): SqlFragment => ({ sql: text, bindings });
const fixed = (text: string): Condition => () => sql(text);

const isSchool = fixed(`r.type = 'school'`);
const isTerm = fixed(`r.type = 'term'`);
const isGradingPeriod = fixed(`r.type = 'gradingPeriod'`);
const isStudent = fixed(`r.role = 'student'`);
const isTeacher = fixed(`r.role = 'teacher'`);
const column = (col: string, param: string): Condition => (p) => sql(`r.${col} = ?`, p[param]!);
/** Users of a role at a school: the user's orgs include it (GIN index on org_sourced_ids). */
const atSchool = (param: string): Condition => (p) => sql(`r.org_sourced_ids @> array[cast(? as text)] collate "C"`, p[param]!);
/** Users with an active enrollment of `role` in the class. */
const enrolledIn = (role: 'student' | 'teacher', classParam: string, schoolParam?: string): Condition => (p, tenant) =>
  sql(
    `r.sourced_id in (select e.user_sourced_id from enrollments e where e.tenant_id = ? and e.class_sourced_id = ? and e.role = '${role}'
       and e.status = 'active'${schoolParam ? ' and e.school_sourced_id = ?' : ''})`,
    tenant, p[classParam]!, ...(schoolParam ? [p[schoolParam]!] : []),
  );
/** Classes in which the user has an active enrollment. */
const classesOf = (param: string): Condition => (p, tenant) =>
  sql(`r.sourced_id in (select e.class_sourced_id from enrollments e where e.tenant_id = ? and e.user_sourced_id = ? and e.status = 'active')`, tenant, p[param]!);
/** Sessions used as terms by the school's classes (1.2 academic sessions carry no org). */
const termsOfSchool = (param: string): Condition => (p, tenant) =>
  sql(`r.sourced_id in (select unnest(c.term_sourced_ids) from classes c where c.tenant_id = ? and c.school_sourced_id = ?)`, tenant, p[param]!);

const school = (param: string): Parent => ({ param, entity: 'orgs', where: isSchool });
const classAtSchool = (param: string, schoolParam: string): Parent => ({ param, entity: 'classes', where: column('school_sourced_id', schoolParam) });

type Resource = { collection: string; entity: EntityName; key: string; one: string; where: Condition[]; scope?: ScopeClass };

/** The 11 top-level resources: a collection and a single-object endpoint each (22 operations). */
const RESOURCES: Resource[] = [
  { collection: 'academicSessions', entity: 'academicSessions', key: 'academicSessions', one: 'academicSession', where: [] },
  { collection: 'classes', entity: 'classes', key: 'classes', one: 'class', where: [] },
  { collection: 'courses', entity: 'courses', key: 'courses', one: 'course', where: [] },
  { collection: 'gradingPeriods', entity: 'academicSessions', key: 'academicSessions', one: 'academicSession', where: [isGradingPeriod] },
  { collection: 'demographics', entity: 'demographics', key: 'demographics', one: 'demographics', where: [], scope: 'demographics' },
  { collection: 'enrollments', entity: 'enrollments', key: 'enrollments', one: 'enrollment', where: [] },
  { collection: 'orgs', entity: 'orgs', key: 'orgs', one: 'org', where: [] },
  { collection: 'schools', entity: 'orgs', key: 'orgs', one: 'org', where: [isSchool] },
  { collection: 'students', entity: 'users', key: 'users', one: 'user', where: [isStudent] },
  { collection: 'teachers', entity: 'users', key: 'users', one: 'user', where: [isTeacher] },
  { collection: 'terms', entity: 'academicSessions', key: 'academicSessions', one: 'academicSession', where: [isTerm] },
  { collection: 'users', entity: 'users', key: 'users', one: 'user', where: [] },
];

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const SINGULAR_OP: Record<string, string> = {
  academicSessions: 'AcademicSession', classes: 'Class', courses: 'Course', gradingPeriods: 'GradingPeriod', demographics: 'Demographics',
  enrollments: 'Enrollment', orgs: 'Org', schools: 'School', students: 'Student', teachers: 'Teacher', terms: 'Term', users: 'User',
};

const topLevel: Endpoint[] = RESOURCES.flatMap((r) => [
  {
    operationId: `getAll${cap(r.collection)}`, path: `/${r.collection}`, entity: r.entity, key: r.key, single: false,
    scope: r.scope ?? 'core', where: r.where, parents: [],
  },
  {
    operationId: `get${SINGULAR_OP[r.collection]}`, path: `/${r.collection}/{sourcedId}`, entity: r.entity, key: r.one, single: true,
    scope: r.scope ?? 'core', where: r.where, parents: [],
  },
]);

const nested = (operationId: string, path: string, entity: EntityName, key: string, where: Condition[], parents: Parent[]): Endpoint => ({
  operationId, path, entity, key, single: false, scope: 'roster', where, parents,
});

/** The 17 relationship endpoints (roster scope only). */
const relationships: Endpoint[] = [
  nested('getCoursesForSchool', '/schools/{schoolSourcedId}/courses', 'courses', 'courses', [column('org_sourced_id', 'schoolSourcedId')], [school('schoolSourcedId')]),
  nested('getEnrollmentsForClassInSchool', '/schools/{schoolSourcedId}/classes/{classSourcedId}/enrollments', 'enrollments', 'enrollments',
    [column('class_sourced_id', 'classSourcedId'), column('school_sourced_id', 'schoolSourcedId')],
    [school('schoolSourcedId'), classAtSchool('classSourcedId', 'schoolSourcedId')]),
  nested('getStudentsForClassInSchool', '/schools/{schoolSourcedId}/classes/{classSourcedId}/students', 'users', 'users',
    [enrolledIn('student', 'classSourcedId', 'schoolSourcedId')], [school('schoolSourcedId'), classAtSchool('classSourcedId', 'schoolSourcedId')]),
  nested('getTeachersForClassInSchool', '/schools/{schoolSourcedId}/classes/{classSourcedId}/teachers', 'users', 'users',
    [enrolledIn('teacher', 'classSourcedId', 'schoolSourcedId')], [school('schoolSourcedId'), classAtSchool('classSourcedId', 'schoolSourcedId')]),
  nested('getEnrollmentsForSchool', '/schools/{schoolSourcedId}/enrollments', 'enrollments', 'enrollments', [column('school_sourced_id', 'schoolSourcedId')], [school('schoolSourcedId')]),
  nested('getStudentsForSchool', '/schools/{schoolSourcedId}/students', 'users', 'users', [isStudent, atSchool('schoolSourcedId')], [school('schoolSourcedId')]),
  nested('getTeachersForSchool', '/schools/{schoolSourcedId}/teachers', 'users', 'users', [isTeacher, atSchool('schoolSourcedId')], [school('schoolSourcedId')]),
  nested('getTermsForSchool', '/schools/{schoolSourcedId}/terms', 'academicSessions', 'academicSessions', [isTerm, termsOfSchool('schoolSourcedId')], [school('schoolSourcedId')]),
  nested('getClassesForTerm', '/terms/{termSourcedId}/classes', 'classes', 'classes',
    [(p) => sql(`r.term_sourced_ids @> array[cast(? as text)] collate "C"`, p.termSourcedId!)], [{ param: 'termSourcedId', entity: 'academicSessions', where: isTerm }]),
  nested('getGradingPeriodsForTerm', '/terms/{termSourcedId}/gradingPeriods', 'academicSessions', 'academicSessions',
    [isGradingPeriod, column('parent_sourced_id', 'termSourcedId')], [{ param: 'termSourcedId', entity: 'academicSessions', where: isTerm }]),
  nested('getClassesForCourse', '/courses/{courseSourcedId}/classes', 'classes', 'classes', [column('course_sourced_id', 'courseSourcedId')], [{ param: 'courseSourcedId', entity: 'courses' }]),
  nested('getClassesForStudent', '/students/{studentSourcedId}/classes', 'classes', 'classes', [classesOf('studentSourcedId')], [{ param: 'studentSourcedId', entity: 'users', where: isStudent }]),
  nested('getClassesForTeacher', '/teachers/{teacherSourcedId}/classes', 'classes', 'classes', [classesOf('teacherSourcedId')], [{ param: 'teacherSourcedId', entity: 'users', where: isTeacher }]),
  nested('getClassesForSchool', '/schools/{schoolSourcedId}/classes', 'classes', 'classes', [column('school_sourced_id', 'schoolSourcedId')], [school('schoolSourcedId')]),
  nested('getClassesForUser', '/users/{userSourcedId}/classes', 'classes', 'classes', [classesOf('userSourcedId')], [{ param: 'userSourcedId', entity: 'users' }]),
  nested('getStudentsForClass', '/classes/{classSourcedId}/students', 'users', 'users', [enrolledIn('student', 'classSourcedId')], [{ param: 'classSourcedId', entity: 'classes' }]),
  nested('getTeachersForClass', '/classes/{classSourcedId}/teachers', 'users', 'users', [enrolledIn('teacher', 'classSourcedId')], [{ param: 'classSourcedId', entity: 'classes' }]),
];

/** All 41 rostering GET endpoints, the same in OneRoster 1.1 and 1.2 (spec/oneroster.md §1). */
export const ENDPOINTS: readonly Endpoint[] = [...topLevel, ...relationships];

/** `/schools/{schoolSourcedId}/classes` → `/schools/:schoolSourcedId/classes` */
export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
