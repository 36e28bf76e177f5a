import type { DemoContext } from './demo-context.js';
import { openCsv } from './demo-context.js';

const MANIFEST: [string, string][] = [
  ['manifest.version', '1.0'],
  ['oneroster.version', '1.1'],
  ['file.academicSessions', 'bulk'],
  ['file.categories', 'absent'],
  ['file.classes', 'bulk'],
  ['file.classResources', 'absent'],
  ['file.courses', 'bulk'],
  ['file.courseResources', 'absent'],
  ['file.demographics', 'bulk'],
  ['file.enrollments', 'bulk'],
  ['file.lineItems', 'absent'],
  ['file.orgs', 'bulk'],
  ['file.resources', 'absent'],
  ['file.results', 'absent'],
  ['file.users', 'bulk'],
  ['source.systemName', 'Rollcall demo'],
  ['source.systemCode', 'rollcall-demo'],
];

export async function writeManifest(ctx: DemoContext): Promise<number> {
  const file = await openCsv(ctx, 'manifest.csv');
  for (const row of MANIFEST) await file.row(row);
  return file.close();
}
