import type { CsvFile } from './csv-file.js';
import type { DemoContext } from './demo-context.js';
import { guardianId, schoolId, studentId } from './identifiers.js';
import { drawPerson, EMAIL_DOMAINS, studentNumber } from './people.js';
import type { Random } from './random.js';
import { drawUserFlags } from './user-flags.js';
import { userCells } from './user-row.js';

const DISABLED_ODDS = 0.002;

/** Students, school by school and grade by grade; their agents are their family's guardians. */
export async function writeStudentUsers(ctx: DemoContext, file: CsvFile, random: Random): Promise<void> {
  const { plan, pools, families } = ctx;
  for (const school of plan.schools) {
    const orgSourcedIds = [schoolId(school.index)];
    for (const group of school.grades) {
      for (let student = group.firstStudent; student < group.firstStudent + group.students; student++) {
        const agentSourcedIds: string[] = [];
        if (families.firstGuardian[student] >= 0) agentSourcedIds.push(guardianId(families.firstGuardian[student]));
        if (families.secondGuardian[student] >= 0) agentSourcedIds.push(guardianId(families.secondGuardian[student]));
        const number = studentNumber(student);
        const person = drawPerson(pools, random, {
          female: families.female[student] === 1,
          familyName: families.familyName[student],
          number,
          domain: EMAIL_DOMAINS.student,
          middleNameOdds: 0.35,
        });
        await file.row(
          userCells({
            sourcedId: studentId(student),
            enabled: !random.chance(DISABLED_ODDS),
            orgSourcedIds,
            role: 'student',
            person,
            number,
            sms: '',
            phone: '',
            agentSourcedIds,
            grade: group.grade,
            userFlags: drawUserFlags(random),
          }),
        );
      }
    }
  }
}
