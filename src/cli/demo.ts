import type { Config } from '../config.js';
import { loadDemo } from '../demo/load-demo.js';
import { writeDemoCsv } from '../demo/generate.js';
import { formatReport } from '../ingest/csv/report.js';
import { exitCodeOf } from './import.js';
import { openStore } from './open-store.js';

export async function runDemo(
  config: Config, o: { tenant: string; students: number; seed: number; classesPerStudent?: number; out?: string; json?: boolean },
): Promise<number> {
  const options = { students: o.students, seed: o.seed, classesPerStudent: o.classesPerStudent };
  if (o.out) {
    const counts = await writeDemoCsv(o.out, options);
    process.stdout.write(`Wrote a OneRoster 1.1 CSV demo district to ${o.out}:\n${Object.entries(counts).map(([f, n]) => `  ${f.padEnd(22)} ${n}`).join('\n')}\n`);
    return 0;
  }
  const db = await openStore(config, 'demo');
  try {
    const report = await loadDemo(db.knex, o.tenant, options);
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return exitCodeOf(report);
  } finally {
    await db.close();
  }
}
