import type { DemoContext } from './demo-context.js';
import { openCsv } from './demo-context.js';
import { SCHOOL_YEAR, SESSIONS } from './school-year.js';

export async function writeAcademicSessions(ctx: DemoContext): Promise<number> {
  const file = await openCsv(ctx, 'academicSessions.csv');
  for (const s of SESSIONS) {
    await file.row([s.sourcedId, 'active', '', s.title, s.type, s.startDate, s.endDate, s.parentSourcedId, SCHOOL_YEAR]);
  }
  return file.close();
}
