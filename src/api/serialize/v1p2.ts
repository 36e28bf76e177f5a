import { SEX_V1P2 } from '../../model/vocab.js';
import { academicSessionJson, base, bool, demographics, enrollmentJson, guidRef, guidRefs, classJson, type SerializerSet } from './shared.js';

/** OneRoster 1.2 JSON (1.2 schemas allow no extra properties: nothing 1.1-only appears here). */
export const v1p2: SerializerSet = {
  orgs: (r, ctx) => ({ ...base(r), name: r.data.name, type: r.data.type, identifier: r.data.identifier ?? '', parent: guidRef(ctx, r.data.parent) }),
  academicSessions: academicSessionJson,
  courses: (r, ctx) => ({
    ...base(r), title: r.data.title, schoolYear: guidRef(ctx, r.data.schoolYear), courseCode: r.data.courseCode ?? '', grades: r.data.grades,
    subjects: r.data.subjects, org: guidRef(ctx, r.data.org), subjectCodes: r.data.subjectCodes,
  }),
  classes: classJson,
  users: (r, ctx) => {
    const d = r.data;
    return {
      ...base(r), userMasterIdentifier: d.userMasterIdentifier, username: d.username, userIds: d.userIds, enabledUser: bool(d.enabledUser ?? true),
      givenName: d.givenName, familyName: d.familyName, middleName: d.middleName, preferredFirstName: d.preferredFirstName,
      preferredMiddleName: d.preferredMiddleName, preferredLastName: d.preferredLastName, pronouns: d.pronouns,
      roles: (d.roles ?? []).map((role: Record<string, any>) => ({
        roleType: role.roleType, role: role.role, org: guidRef(ctx, role.org), userProfile: role.userProfile, beginDate: role.beginDate, endDate: role.endDate,
      })),
      userProfiles: d.userProfiles, primaryOrg: guidRef(ctx, d.primaryOrg), identifier: d.identifier, email: d.email, sms: d.sms, phone: d.phone,
      agents: guidRefs(ctx, d.agents), grades: d.grades,
    };
  },
  enrollments: enrollmentJson,
  demographics: (r) => demographics(r, SEX_V1P2),
};
