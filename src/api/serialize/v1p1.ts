import { roleToV1p1, SEX_V1P1 } from '../../model/vocab.js';
import { academicSessionJson, base, bool, demographics, enrollmentJson, guidRef, guidRefs, classJson, type SerializerSet } from './shared.js';

function primaryRole(d: Record<string, any>): string {
  const roles: Array<Record<string, any>> = d.roles ?? [];
  const atPrimaryOrg = roles.find((x) => x.roleType === 'primary' && x.org?.sourcedId === d.primaryOrg?.sourcedId);
  return (atPrimaryOrg ?? roles.find((x) => x.roleType === 'primary') ?? roles[0])?.role ?? 'student';
}

/** OneRoster 1.1 JSON: users carry `role` and `orgs`, derived from the stored 1.2 roles. */
export const v1p1: SerializerSet = {
  orgs: (r, ctx) => ({ ...base(r), name: r.data.name, type: r.data.type, identifier: r.data.identifier, parent: guidRef(ctx, r.data.parent) }),
  academicSessions: academicSessionJson,
  courses: (r, ctx) => ({
    ...base(r), title: r.data.title, schoolYear: guidRef(ctx, r.data.schoolYear), courseCode: r.data.courseCode, grades: r.data.grades,
    subjects: r.data.subjects, org: guidRef(ctx, r.data.org), subjectCodes: r.data.subjectCodes,
  }),
  classes: classJson,
  users: (r, ctx) => {
    const d = r.data;
    const orgs = [...new Map((d.roles ?? []).map((x: Record<string, any>) => [x.org.sourcedId, x.org])).values()];
    return {
      ...base(r), username: d.username ?? '', userIds: d.userIds, enabledUser: bool(d.enabledUser ?? true), givenName: d.givenName,
      familyName: d.familyName, middleName: d.middleName, role: roleToV1p1(primaryRole(d)), identifier: d.identifier, email: d.email,
      sms: d.sms, phone: d.phone, agents: guidRefs(ctx, d.agents), orgs: guidRefs(ctx, orgs as Array<{ sourcedId: string; type: string }>), grades: d.grades,
    };
  },
  enrollments: enrollmentJson,
  demographics: (r) => demographics(r, SEX_V1P1),
};
