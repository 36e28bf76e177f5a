// One engine's import benchmark, run in its own process so its peak RSS is the importer's alone.
// Prints one JSON line with the figures and the correctness checks.
import { importCsv } from '../src/ingest/csv/import.js';
import type { ImportReport } from '../src/ingest/csv/report.js';
import { openDatabase } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';

const [target, full, delta, bulkMinusOne, named] = process.argv.slice(2);
const db = target.startsWith('postgres') ? await openDatabase({ databaseUrl: target }) : await openDatabase({ dataDir: target, command: 'bench' });
await migrate(db);
const tenant = 'bench';
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const rows = (r: ImportReport) => r.files.reduce((n, f) => n + f.rows, 0);

async function timed(location: string) {
  const before = (await db.knex.raw(`select clock_timestamp() as t`)).rows[0].t as Date;
  const t0 = performance.now();
  const report = await importCsv(db.knex, { location, tenant });
  const seconds = (performance.now() - t0) / 1000;
  let moved = 0;
  for (const table of ['orgs', 'academic_sessions', 'courses', 'classes', 'users', 'enrollments', 'demographics']) {
    moved += (await db.knex.raw(`select count(*)::int as n from ${table} where tenant_id = ? and date_last_modified > ?`, [tenant, before])).rows[0].n;
  }
  return { outcome: report.outcome, rows: rows(report), seconds: +seconds.toFixed(2), rowsPerSecond: Math.round(rows(report) / seconds), peakRssMb: rssMb(), moved };
}

const first = await timed(full);
const again = await timed(full);
const deltaRun = await timed(delta);
const bulk = await timed(bulkMinusOne);
const tombstones = (await db.knex.raw(`select count(*)::int as n from users where tenant_id = ? and status = 'tobedeleted'`, [tenant])).rows[0].n;
process.stdout.write(
  `${JSON.stringify({ engine: db.engine, first, again, delta: { ...deltaRun, named: Number(named) }, bulkMinusOne: { ...bulk, userTombstones: tombstones } })}\n`,
);
await db.close();
