import type { CsvFile } from './csv-file.js';
import type { DemoContext } from './demo-context.js';
import { schoolOfStudent } from './district-plan.js';
import { guardianId, schoolId, studentId } from './identifiers.js';
import { drawPerson, drawPhone, EMAIL_DOMAINS, guardianNumber } from './people.js';
import type { Random } from './random.js';
import { userCells } from './user-row.js';

const SHARES_FAMILY_NAME_ODDS = 0.8;
const TEXTS_ODDS = 0.7;

/** Guardians; their agents are their children, their orgs the children's schools. */
export async function writeGuardianUsers(ctx: DemoContext, file: CsvFile, random: Random): Promise<void> {
  const { plan, pools, families } = ctx;
  for (let guardian = 0; guardian < families.guardians; guardian++) {
    const start = families.siblingsStart[guardian];
    const children = Array.from(families.siblings.subarray(start, start + families.siblingsCount[guardian]));
    const schools = new Set(children.map((child) => schoolId(schoolOfStudent(plan, child).index)));
    const number = guardianNumber(guardian);
    const person = drawPerson(pools, random, {
      female: random.chance(0.6),
      familyName: random.chance(SHARES_FAMILY_NAME_ODDS) ? families.familyName[children[0]] : undefined,
      number,
      domain: EMAIL_DOMAINS.guardian,
      middleNameOdds: 0.2,
    });
    const phone = drawPhone(random);
    await file.row(
      userCells({
        sourcedId: guardianId(guardian),
        enabled: true,
        orgSourcedIds: [...schools],
        role: 'guardian',
        person,
        number,
        sms: random.chance(TEXTS_ODDS) ? phone : '',
        phone,
        agentSourcedIds: children.map(studentId),
        grade: '',
        userFlags: '',
      }),
    );
  }
}
