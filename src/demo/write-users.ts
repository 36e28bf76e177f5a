import type { DemoContext } from './demo-context.js';
import { openCsv } from './demo-context.js';
import { writeGuardianUsers } from './guardian-users.js';
import { randomFor } from './random.js';
import { writeStaffUsers } from './staff-users.js';
import { writeStudentUsers } from './student-users.js';

export async function writeUsers(ctx: DemoContext): Promise<number> {
  const file = await openCsv(ctx, 'users.csv');
  await writeStudentUsers(ctx, file, randomFor(ctx.seed, 'users.students'));
  await writeGuardianUsers(ctx, file, randomFor(ctx.seed, 'users.guardians'));
  await writeStaffUsers(ctx, file, randomFor(ctx.seed, 'users.staff'));
  return file.close();
}
