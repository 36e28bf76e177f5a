import type { DemoContext } from './demo-context.js';
import { openCsv } from './demo-context.js';
import { studentId } from './identifiers.js';
import { randomFor } from './random.js';
import { drawDemographics } from './student-demographics.js';

const bool = (b: boolean) => (b ? 'true' : 'false');

/** One row per student, keyed by the student's sourcedId; sex matches the given name drawn in users.csv. */
export async function writeDemographics(ctx: DemoContext): Promise<number> {
  const { plan, pools, families } = ctx;
  const random = randomFor(ctx.seed, 'demographics');
  const file = await openCsv(ctx, 'demographics.csv');
  for (const school of plan.schools) {
    for (const group of school.grades) {
      const gradeNumber = group.grade === 'KG' ? 0 : Number(group.grade);
      for (let student = group.firstStudent; student < group.firstStudent + group.students; student++) {
        const d = drawDemographics(random, pools, gradeNumber);
        await file.row([
          studentId(student),
          'active',
          '',
          d.birthDate,
          families.female[student] === 1 ? 'female' : 'male',
          bool(d.americanIndianOrAlaskaNative),
          bool(d.asian),
          bool(d.blackOrAfricanAmerican),
          bool(d.nativeHawaiianOrOtherPacificIslander),
          bool(d.white),
          bool(d.twoOrMoreRaces),
          bool(d.hispanicOrLatino),
          d.countryOfBirthCode,
          d.stateOfBirthAbbreviation,
          d.cityOfBirth,
          d.publicSchoolResidenceStatus,
        ]);
      }
    }
  }
  return file.close();
}
