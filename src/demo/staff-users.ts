import type { CsvFile } from './csv-file.js';
import type { DemoContext } from './demo-context.js';
import { DISTRICT_OFFICE_SHARE_OF_ADMINISTRATORS, staffSchool } from './district-plan.js';
import { administratorId, aideId, DISTRICT_ID, schoolId, teacherId } from './identifiers.js';
import { drawPerson, EMAIL_DOMAINS, staffNumber } from './people.js';
import type { Random } from './random.js';
import { userCells, type UserRow } from './user-row.js';

type StaffPost = Pick<UserRow, 'sourcedId' | 'role' | 'orgSourcedIds'>;

const DISABLED_ODDS = 0.005;

function staffRow(ctx: DemoContext, random: Random, post: StaffPost, staff: number): string[] {
  const number = staffNumber(staff);
  const person = drawPerson(ctx.pools, random, {
    female: random.chance(0.6),
    number,
    domain: EMAIL_DOMAINS.staff,
    middleNameOdds: 0.2,
  });
  return userCells({
    sourcedId: post.sourcedId,
    role: post.role,
    orgSourcedIds: post.orgSourcedIds,
    enabled: !random.chance(DISABLED_ODDS),
    person,
    number,
    sms: '',
    phone: '',
    agentSourcedIds: [],
    grade: '',
    userFlags: '',
  });
}

/** Teachers (lead and co-teachers of each school), then administrators, then aides. */
export async function writeStaffUsers(ctx: DemoContext, file: CsvFile, random: Random): Promise<void> {
  const { plan } = ctx;
  for (const school of plan.schools) {
    const orgSourcedIds = [schoolId(school.index)];
    const teachers = school.leadTeachers + school.coTeachers;
    for (let t = school.firstTeacher; t < school.firstTeacher + teachers; t++) {
      await file.row(staffRow(ctx, random, { sourcedId: teacherId(t), role: 'teacher', orgSourcedIds }, t));
    }
  }
  for (let k = 0; k < plan.administrators; k++) {
    const school = staffSchool(plan, k, plan.administrators, DISTRICT_OFFICE_SHARE_OF_ADMINISTRATORS);
    const orgSourcedIds = [school ? schoolId(school.index) : DISTRICT_ID];
    const row = { sourcedId: administratorId(k), role: 'administrator' as const, orgSourcedIds };
    await file.row(staffRow(ctx, random, row, plan.teachers + k));
  }
  for (let k = 0; k < plan.aides; k++) {
    const school = staffSchool(plan, k, plan.aides);
    const orgSourcedIds = [school ? schoolId(school.index) : DISTRICT_ID];
    const row = { sourcedId: aideId(k), role: 'aide' as const, orgSourcedIds };
    await file.row(staffRow(ctx, random, row, plan.teachers + plan.administrators + k));
  }
}
