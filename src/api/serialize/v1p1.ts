import { SEX_V1P1 } from '../../model/vocab.js';
import { base, bool, demographics, guidRef, guidRefs, type SerializerSet } from './shared.js';

const ADMIN_ROLES = new Set(['districtAdministrator', 'siteAdministrator', 'principal', 'systemAdministrator', 'counselor']);

/** The 1.1 role of a store user: the primary role, with the 1.2 admin-like roles read as administrator. */
export function roleV1p1(storedRole: string): string {
  return ADMIN_ROLES.has(storedRole) ? 'administrator' : storedRole;
}

function primaryRole(d: Record<string, any>): string {
  const roles: Array<Record<string, any>> = d.roles ?? [];
  const atPrimaryOrg = roles.find((x) => x.roleType === 'primary' && x.org?.sourcedId === d.primaryOrg?.sourcedId);
  return (atPrimaryOrg ?? roles.find((x) => x.roleType === 'primary') ?? roles[0])?.role ?? 'student';
}

/** OneRoster 1.1 JSON: users carry `role` and `orgs`, derived from the stored 1.2 roles. */
export const v1p1: SerializerSet = {
  orgs: (r, ctx) => ({ ...base(r), name: r.data.name, type: r.data.type, identifier: r.data.identifier, parent: guidRef(ctx, r.data.parent) }),
  academicSessions: (r, ctx) => ({
    ...base(r), title: r.data.title, startDate: r.data.startDate, endDate: r.data.endDate, type: r.data.type,
    parent: guidRef(ctx, r.data.parent), schoolYear: r.data.schoolYear,
  }),
  courses: (r, ctx) => ({
    ...base(r), title: r.data.title, schoolYear: guidRef(ctx, r.data.schoolYear), courseCode: r.data.courseCode, grades: r.data.grades,
    subjects: r.data.subjects, org: guidRef(ctx, r.data.org), subjectCodes: r.data.subjectCodes,
  }),
  classes: (r, ctx) => ({
    ...base(r), title: r.data.title, classCode: r.data.classCode, classType: r.data.classType, location: r.data.location, grades: r.data.grades,
    subjects: r.data.subjects, course: guidRef(ctx, r.data.course), school: guidRef(ctx, r.data.school), terms: guidRefs(ctx, r.data.terms),
    subjectCodes: r.data.subjectCodes, periods: r.data.periods,
  }),
  users: (r, ctx) => {
    const d = r.data;
    const orgs = [...new Map((d.roles ?? []).map((x: Record<string, any>) => [x.org.sourcedId, x.org])).values()];
    return {
      ...base(r), username: d.username ?? '', userIds: d.userIds, enabledUser: bool(d.enabledUser ?? true), givenName: d.givenName,
      familyName: d.familyName, middleName: d.middleName, role: roleV1p1(primaryRole(d)), identifier: d.identifier, email: d.email,
      sms: d.sms, phone: d.phone, agents: guidRefs(ctx, d.agents), orgs: guidRefs(ctx, orgs as Array<{ sourcedId: string; type: string }>), grades: d.grades,
    };
  },
  enrollments: (r, ctx) => ({
    ...base(r), user: guidRef(ctx, r.data.user), class: guidRef(ctx, r.data.class), school: guidRef(ctx, r.data.school), role: r.data.role,
    primary: bool(r.data.primary), beginDate: r.data.beginDate, endDate: r.data.endDate,
  }),
  demographics: (r) => demographics(r, SEX_V1P1),
};
