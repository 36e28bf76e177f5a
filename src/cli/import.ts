import fs from 'node:fs';
import type { Config } from '../config.js';
import { invalidInput } from '../errors.js';
import { importCsv } from '../ingest/csv/import.js';
import { formatReport, type ImportReport } from '../ingest/csv/report.js';
import { openStore } from './open-store.js';

/** Exit codes: 0 everything imported, 2 imported with problems (some rows or files skipped), 1 nothing imported. */
export const exitCodeOf = (r: ImportReport) => (r.outcome === 'succeeded' ? 0 : r.outcome === 'partial' ? 2 : 1);

export async function runImport(
  config: Config, location: string, o: { tenant: string; source: string; mode?: 'bulk' | 'delta'; json?: boolean },
): Promise<number> {
  if (!fs.existsSync(location)) throw invalidInput(`${location}: no such folder or zip file`);
  const db = await openStore(config, `import ${location}`);
  try {
    const progress = o.json || !process.stderr.isTTY ? undefined : (file: string, rows: number) => process.stderr.write(`\r  ${file}: ${rows} rows`.padEnd(60));
    const report = await importCsv(db.knex, { location, tenant: o.tenant, source: o.source, mode: o.mode, onProgress: progress });
    if (progress) process.stderr.write('\r'.padEnd(61) + '\r');
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return exitCodeOf(report);
  } finally {
    await db.close();
  }
}
