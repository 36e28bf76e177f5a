import type { DemoContext } from './demo-context.js';
import { openCsv } from './demo-context.js';
import { DISTRICT_ID, schoolId } from './identifiers.js';

export async function writeOrgs(ctx: DemoContext): Promise<number> {
  const { plan } = ctx;
  const file = await openCsv(ctx, 'orgs.csv');
  await file.row([DISTRICT_ID, 'active', '', plan.name, 'district', plan.identifier, '']);
  for (const school of plan.schools) {
    await file.row([schoolId(school.index), 'active', '', school.name, 'school', school.identifier, DISTRICT_ID]);
  }
  return file.close();
}
