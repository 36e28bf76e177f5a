// One import step of the district benchmark (npm run bench), in its own process so that its peak
// RSS is the importer's alone: imports one OneRoster CSV package into tenant "bench", optionally
// counts what the store holds, settles the store (VACUUM ANALYZE: what autovacuum does within a
// minute or so of a district's first load, so the pull that follows does not pay for setting hint
// bits on every row it reads first), creates API clients, and prints one JSON line.
//   node --import tsx bench/district-import.ts <postgres-url | pglite-dir> <package> [--counts] [--settle] [--clients N]
import { parseArgs } from 'node:util';
import { createClient } from '../src/auth/clients.js';
import { importCsv } from '../src/ingest/csv/import.js';
import { openDatabase } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';

const BENCH_TENANT = 'bench';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { counts: { type: 'boolean', default: false }, settle: { type: 'boolean', default: false }, clients: { type: 'string', default: '0' } },
});
const [target, location] = positionals;
const db = target.startsWith('postgres') ? await openDatabase({ databaseUrl: target }) : await openDatabase({ dataDir: target, command: 'bench' });
try {
  await migrate(db);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await importCsv(db.knex, { location, tenant: BENCH_TENANT });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const rows = report.files.reduce((n, f) => n + f.rows, 0);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const q = async (sql: string) => (await db.knex.raw(sql, [BENCH_TENANT])).rows as Array<Record<string, any>>;
  let counts: Record<string, unknown> | undefined;
  if (values.counts) {
    const active: Record<string, number> = {};
    for (const t of ['orgs', 'academic_sessions', 'courses', 'classes', 'users', 'enrollments', 'demographics']) {
      active[t] = (await q(`select count(*)::int as n from ${t} where tenant_id = ? and status = 'active'`))[0].n;
    }
    const byKey = (r: Array<Record<string, any>>) => Object.fromEntries(r.map((x) => [x.k, x.n]));
    counts = {
      active,
      usersByRole: byKey(await q(`select role as k, count(*)::int as n from users where tenant_id = ? group by role order by 1`)),
      orgsByType: byKey(await q(`select type as k, count(*)::int as n from orgs where tenant_id = ? group by type order by 1`)),
      enrollmentsByRole: byKey(await q(`select role as k, count(*)::int as n from enrollments where tenant_id = ? group by role order by 1`)),
    };
  }
  let settleSeconds: number | undefined;
  if (values.settle) {
    const t = performance.now();
    for (const table of ['orgs', 'academic_sessions', 'courses', 'classes', 'users', 'enrollments', 'demographics']) await db.knex.raw(`vacuum (analyze) ${table}`);
    settleSeconds = +((performance.now() - t) / 1000).toFixed(2);
  }
  const clients: Array<{ clientId: string; clientSecret: string }> = [];
  for (let i = 0; i < Number(values.clients); i++) {
    const { client, clientSecret } = await createClient(db.knex, { tenant: BENCH_TENANT, name: `bench client ${i + 1}` });
    clients.push({ clientId: client.clientId, clientSecret });
  }
  process.stdout.write(
    `${JSON.stringify({
      engine: db.engine,
      outcome: report.outcome,
      files: report.files.map((f) => ({ file: f.file, rows: f.rows, created: f.created, updated: f.updated, unchanged: f.unchanged, tombstoned: f.tombstoned, skipped: f.skipped })),
      rows,
      seconds: +seconds.toFixed(2),
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMb,
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      /** The whole process: start-up (tsx, opening the database, migrations) and counting too. */
      processCpuSeconds: +((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2),
      counts,
      settleSeconds,
      clients,
    })}\n`,
  );
} finally {
  await db.close();
}
