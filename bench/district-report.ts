// Tables for the district benchmark: one run's figures and its targets, and the growth between two runs.
import fs from 'node:fs';
import { formatSpeed } from './machine-speed.js';

type Json = Record<string, any>;

const L = { students: 565_000, staff: 74_000, guardians: 500_000, schools: 1_000, classes: 60_000, enrollments: 4_500_000 };
const SCALE: Record<string, number> = { S: 0.01, M: 0.1, L: 1 };
const n = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '' : Math.round(x).toLocaleString('en-US'));

/** What the generated district holds, next to the issue's figures for the size. */
export function districtCounts(r: Json) {
  const roles = r.district.usersByRole ?? {};
  // The store keeps 1.2 roles (districtAdministrator, siteAdministrator…): staff = everyone but students and guardian-type contacts.
  const staff = Object.entries(roles as Record<string, number>).filter(([k]) => !['student', 'guardian', 'parent', 'relative'].includes(k)).reduce((n, [, v]) => n + v, 0);
  const scale = SCALE[r.size];
  const row = (what: string, actual: number, issue?: number) => ({ what, 'generated': n(actual), 'issue (scaled)': scale ? n(issue! * scale) : '' });
  return [
    row('students', roles.student ?? 0, L.students),
    row('staff (teachers, administrators, aides)', staff, L.staff),
    row('guardians', roles.guardian ?? 0, L.guardians),
    row('users in all', r.district.active?.users ?? 0, L.students + L.staff + L.guardians),
    row('schools', r.district.orgsByType?.school ?? 0, L.schools),
    row('classes', r.district.active?.classes ?? 0, L.classes),
    row('enrollments', r.district.active?.enrollments ?? 0, L.enrollments),
    row('courses', r.district.active?.courses ?? 0),
    row('academic sessions', r.district.active?.academic_sessions ?? 0),
    row('demographics', r.district.active?.demographics ?? 0),
    row('CSV rows in all', r.import.rows),
  ];
}

export function targets(r: Json) {
  const enr = r.fullPull.collections.enrollments;
  const peak = Math.max(r.import.peakRssMb, r.delta.import.peakRssMb, r.serverPeakRssMb);
  const c = r.concurrent;
  const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  return [
    { target: 'import ≥ 50,000 rows/s', measured: `${n(r.import.rowsPerSecond)} rows/s`, '': met(r.import.rowsPerSecond >= 50_000) },
    {
      target: 'peak RSS < 512 MB (importer, server)',
      measured: `import ${r.import.peakRssMb}, delta import ${r.delta.import.peakRssMb}, server ${r.serverPeakRssMb} MB`,
      '': met(peak < 512),
    },
    { target: 'full pull ≥ 50,000 records/s end to end', measured: `${n(r.fullPull.recordsPerSecond)} records/s`, '': met(r.fullPull.recordsPerSecond >= 50_000) },
    {
      target: 'last enrollments page ≤ 2× the first',
      measured: `${enr.last.ms} / ${enr.first.ms} ms = ${(enr.last.ms / enr.first.ms).toFixed(2)}× (vs median page ${(enr.last.ms / enr.medianMs).toFixed(2)}×)`,
      '': met(enr.last.ms <= 2 * enr.first.ms),
    },
    {
      target: 'delta page < 100 ms',
      measured: `slowest delta page ${r.delta.maxPageMs} ms${r.delta.serverStoppedForImport ? ' (server just restarted)' : ''}; pulled again: ${r.delta.repeat.maxPageMs} ms`,
      '': met(r.delta.maxPageMs < 100),
    },
    {
      target: 'delta returns exactly the changed records',
      measured: `users ${r.delta.check.users.returned}/${r.delta.check.users.expected}, enrollments ${r.delta.check.enrollments.returned}/${r.delta.check.enrollments.expected}`,
      '': met(r.delta.check.users.exact && r.delta.check.enrollments.exact),
    },
    {
      target: `${c.clients} concurrent clients: zero errors, total ≥ one client`,
      measured: `${c.errors} errors, ${n(c.recordsPerSecond)} vs ${n(c.singleClientRecordsPerSecond)} records/s (same work by one client: ${c.sameWorkOneClientSeconds} s, concurrently: ${c.seconds} s)`,
      '': met(c.errors === 0 && c.recordsPerSecond >= c.singleClientRecordsPerSecond),
    },
  ];
}

export function printResult(r: Json) {
  console.log(`\n${r.engine}, size ${r.size}, commit ${r.machine.commit}, ${r.machine.cpus} cores, node ${r.machine.node}${r.serverNodeArgs?.length ? `, server flags ${r.serverNodeArgs.join(' ')}` : ''}`);
  console.log(`machine reference (lower is faster): at start ${formatSpeed(r.machineSpeed?.atStart)}; at end ${formatSpeed(r.machineSpeed?.atEnd)}`);
  console.table(districtCounts(r));
  const fp = r.fullPull;
  console.log(`\nimport: ${n(r.import.rows)} rows in ${r.import.seconds} s = ${n(r.import.rowsPerSecond)} rows/s, peak RSS ${r.import.peakRssMb} MB`);
  console.log(`full pull (token ${fp.tokenMs} ms): ${n(fp.records)} records, ${(fp.bytes / 2 ** 20).toFixed(1)} MB in ${fp.seconds} s = ${n(fp.recordsPerSecond)} records/s, ${fp.mbPerSecond} MB/s; errors ${fp.errors.length}`);
  console.table(
    Object.fromEntries(
      Object.entries(fp.collections as Record<string, Json>).map(([k, c]) => [
        k,
        {
          records: c.records, pages: c.pages, s: c.seconds, 'rec/s': c.recordsPerSecond, 'MB/s': c.mbPerSecond,
          'first ms': c.first.ms, 'middle ms': c.middle.ms, 'last ms': c.last.ms, 'median ms': c.medianMs, 'max ms': c.maxMs,
          'ttfb first/mid/last': `${Math.round(c.first.ttfbMs)}/${Math.round(c.middle.ttfbMs)}/${Math.round(c.last.ttfbMs)}`,
        },
      ]),
    ),
  );
  const dl = r.delta;
  console.log(`delta import: ${n(dl.import.rows)} rows in ${dl.import.seconds} s, peak RSS ${dl.import.peakRssMb} MB${dl.serverStoppedForImport ? `; server stopped for it, restarted in ${dl.restartSeconds} s` : ' (server running)'}`);
  console.table({
    users: { records: dl.pull.users.records, pages: dl.pull.users.pages, 'first ms': dl.pull.users.first?.ms, 'max ms': dl.pull.users.maxMs, 'again, max ms': dl.repeat.users.maxMs, exact: dl.check.users.exact },
    enrollments: { records: dl.pull.enrollments.records, pages: dl.pull.enrollments.pages, 'first ms': dl.pull.enrollments.first?.ms, 'max ms': dl.pull.enrollments.maxMs, 'again, max ms': dl.repeat.enrollments.maxMs, exact: dl.check.enrollments.exact },
  });
  const c = r.concurrent;
  console.log(`${c.clients} concurrent clients: ${n(c.records)} records in ${c.seconds} s = ${n(c.recordsPerSecond)} records/s, ${c.errors} errors (one client: ${n(c.singleClientRecordsPerSecond)} records/s; the same work by one client ≈ ${c.sameWorkOneClientSeconds} s)`);
  console.log('\nCPU seconds per step (machine shared: "others" = machine busy minus the processes of this benchmark)');
  const cpu = (x: Json) => ({
    wall: x.wallSeconds, server: x.serverSeconds, postgres: x.postgresBackendSeconds, importer: x.childSeconds, 'bench client': x.benchClientSeconds,
    others: x.othersSeconds, 'load 1m': `${x.loadAverage1m.start}→${x.loadAverage1m.end}`, 'server RSS now/peak MB': x.serverRssMb ? `${x.serverRssMb.now}/${x.serverRssMb.peak}` : '',
  });
  console.log(`server RSS after start: ${r.serverRssAtStartMb} MB; peak ${r.serverPeakRssMb} MB`);
  console.table({ import: cpu(r.import.cpu), 'full pull': cpu(fp.cpu), 'delta import': cpu(dl.import.cpu), 'delta pull': cpu(dl.pull.cpu), concurrent: cpu(c.cpu) });
  if (r.profile) {
    console.log('\nwhere a page goes (on the store, no HTTP; best of several runs): ms per page of up to', r.profile.limit, '(µs/row = rendered query from node + body, per row)');
    const rows: Record<string, Json> = {};
    const page = (p: Json) => ({
      rows: p.rows, 'db exec': p.dbExecutionMs, 'node query': p.nodeQueryMs, 'rendered db exec': p.renderedDbExecutionMs, 'rendered node query': p.renderedNodeQueryMs, body: p.bodyMs,
      'µs/row': p.rows ? +((p.renderedNodeQueryMs + p.bodyMs) * 1000 / p.rows).toFixed(1) : '', KB: Math.round(p.bytes / 1024),
    });
    for (const [entity, e] of Object.entries(r.profile.full as Record<string, Json>)) {
      rows[`${entity} count`] = { rows: e.total, 'db exec': e.count.dbExecutionMs, 'node query': e.count.nodeQueryMs };
      for (const p of e.pages) rows[`${entity} @${p.offset}`] = page(p);
    }
    for (const [entity, e] of Object.entries((r.profile.delta ?? {}) as Record<string, Json>)) {
      rows[`delta ${entity} count`] = { rows: e.total, 'db exec': e.count.dbExecutionMs, 'node query': e.count.nodeQueryMs };
      rows[`delta ${entity} @0`] = page(e.first);
    }
    console.table(rows);
  }
  console.log('\nagainst the targets');
  console.table(targets(r));
}

/** Growth between two runs of the same engine (e.g. S and M): time ratios next to the data ratio. */
export function printGrowth(files: string[]) {
  if (files.length !== 2) throw new Error('--growth takes two result files: the smaller run, then the larger');
  const [a, b] = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Json);
  const ratio = (x: number, y: number) => `${(y / x).toFixed(1)}×`;
  console.log(`${a.engine} ${a.size} → ${b.engine} ${b.size}`);
  console.table({
    'import': { small: `${a.import.seconds} s`, large: `${b.import.seconds} s`, 'data ×': ratio(a.import.rows, b.import.rows), 'time ×': ratio(a.import.seconds, b.import.seconds) },
    'full pull': { small: `${a.fullPull.seconds} s`, large: `${b.fullPull.seconds} s`, 'data ×': ratio(a.fullPull.records, b.fullPull.records), 'time ×': ratio(a.fullPull.seconds, b.fullPull.seconds) },
    'enrollments pull': {
      small: `${a.fullPull.collections.enrollments.seconds} s`, large: `${b.fullPull.collections.enrollments.seconds} s`,
      'data ×': ratio(a.fullPull.collections.enrollments.records, b.fullPull.collections.enrollments.records),
      'time ×': ratio(a.fullPull.collections.enrollments.seconds, b.fullPull.collections.enrollments.seconds),
    },
    'delta import': { small: `${a.delta.import.seconds} s`, large: `${b.delta.import.seconds} s`, 'data ×': ratio(a.delta.import.rows, b.delta.import.rows), 'time ×': ratio(a.delta.import.seconds, b.delta.import.seconds) },
    'delta pull, slowest page': { small: `${a.delta.maxPageMs} ms`, large: `${b.delta.maxPageMs} ms`, 'data ×': ratio(a.delta.import.rows, b.delta.import.rows), 'time ×': ratio(a.delta.maxPageMs, b.delta.maxPageMs) },
    'concurrent': { small: `${a.concurrent.seconds} s`, large: `${b.concurrent.seconds} s`, 'data ×': ratio(a.concurrent.records, b.concurrent.records), 'time ×': ratio(a.concurrent.seconds, b.concurrent.seconds) },
    'peak RSS, import': { small: `${a.import.peakRssMb} MB`, large: `${b.import.peakRssMb} MB`, 'data ×': ratio(a.import.rows, b.import.rows), 'time ×': '' },
    'peak RSS, server': { small: `${a.serverPeakRssMb} MB`, large: `${b.serverPeakRssMb} MB`, 'data ×': ratio(a.import.rows, b.import.rows), 'time ×': '' },
  });
  // The same work on both days takes the same time only if the machine ran at the same speed.
  console.log(`machine reference at the start of each run (lower is faster): ${formatSpeed(a.machineSpeed?.atStart)} | ${formatSpeed(b.machineSpeed?.atStart)}`);
}
