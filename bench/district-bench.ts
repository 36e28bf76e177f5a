// npm run bench -- [--size S|M|L] [--students N …] [--engines postgres,pglite] [--clients 8] [--no-profile] [--keep] [--cpu-prof]
// npm run bench -- --growth <small.json> <large.json>     (S → M growth of two result files)
// npm run bench -- --report <result.json>…                (print a result file's tables again)
//
// The district-scale benchmark (issue 7). On each engine:
//   1. generates a district with the demo generator (S, M, L: a hundredth, a tenth, all of a
//      565,000-student district) and reports what it holds;
//   2. imports it as OneRoster CSV in a child process (rows/s, peak RSS), then VACUUM ANALYZE (timed
//      apart: what autovacuum does after a first load, before any client would pull);
//   3. serves it with the real server (`node bin/rollcall.js serve` in a child process), gets a
//      token over HTTP and pulls academicSessions, orgs, users, classes and enrollments the way SDS
//      does (filter=status='active'&limit=5000, following Link rel="next"): records/s, MB/s, and
//      per-page latency at the first, middle and last page;
//   4. imports a delta changing 1% of users and enrollments (PGlite: the server is stopped for it
//      and restarted), pulls users and enrollments with filter=dateLastModified>'<before>' and
//      checks it returns exactly the changed records; per-page latency;
//   5. runs N concurrent clients (own API client and token each) paging users, enrollments,
//      classes, orgs + academicSessions: total records/s and errors, next to one client;
//   6. (unless --no-profile) measures, straight on the store, where a page's time goes: SQL
//      execution, query from Node, serialization, JSON.stringify (bench/district-profile.ts).
// Prints tables and writes bench/out/bench-<size>-<engine>-<timestamp>.json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Agent } from 'undici';
import { writeDemoCsv } from '../src/demo/generate.js';
import { deltaPackages } from './delta-packages.js';
import { pageStats, pull, requestToken, type PullResult } from './district-http.js';
import { meter } from './district-meter.js';
import { benchOptions } from './district-options.js';
import { printGrowth, printResult } from './district-report.js';
import { BackendCpu, startNodeFlags, startServer, type RunningServer } from './district-server.js';
import { engineTarget } from './engine-target.js';
import { formatSpeed, machineSpeed, type MachineSpeed } from './machine-speed.js';

const o = benchOptions();
if (o.growth) {
  printGrowth(o.growth);
  process.exit(0);
}
if (o.report) {
  for (const f of o.report) printResult(JSON.parse(fs.readFileSync(f, 'utf8')));
  process.exit(0);
}
const outDir = path.resolve('bench/out');
fs.mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
const apiPath = o.version === '1.1' ? '/ims/oneroster/v1p1' : '/ims/oneroster/rostering/v1p2';
const ACTIVE = `filter=${encodeURIComponent("status='active'")}&limit=${o.limit}`;
const FULL_PULL = ['academicSessions', 'orgs', 'users', 'classes', 'enrollments'];
const CONCURRENT_GROUPS = [['users'], ['enrollments'], ['classes'], ['orgs', 'academicSessions']];

// 1. The district (generated once per option set, then reused).
const d = o.demo;
const district = path.join(outDir, `district-bench-${d.students}-${d.schools}sch-${d.classesPerStudent}c-${d.guardiansPerStudent.toFixed(3)}g-${d.staffPerStudent.toFixed(3)}s-seed${d.seed}`);
const summaryFile = `${district}.summary.json`;
let generated: { options: typeof d; files: Record<string, number>; seconds: number };
if (fs.existsSync(path.join(district, 'manifest.csv')) && fs.existsSync(summaryFile)) {
  generated = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
  console.log(`district ${district} (generated earlier in ${generated.seconds} s)`);
} else {
  const t0 = performance.now();
  const files = await writeDemoCsv(district, d);
  generated = { options: d, files, seconds: +((performance.now() - t0) / 1000).toFixed(1) };
  fs.writeFileSync(summaryFile, JSON.stringify(generated, null, 2));
  console.log(`generated ${district} in ${generated.seconds} s`);
}
const { delta } = await deltaPackages(district);
const firstColumn = (file: string) => fs.readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.slice(0, l.indexOf(',')));
const changed = { users: new Set(firstColumn(path.join(delta, 'users.csv'))), enrollments: new Set(firstColumn(path.join(delta, 'enrollments.csv'))) };
console.log(`delta package ${delta}: ${changed.users.size} users changed, ${changed.enrollments.size} enrollments tombstoned`);

const machine = await machineInfo();
for (const engine of o.engines) {
  console.log(`\n=== ${engine}, size ${o.size} ===`);
  const speedAtStart = await machineSpeed(o.databaseUrl);
  console.log(`machine reference (bench/machine-speed.ts, lower is faster): ${formatSpeed(speedAtStart)}`);
  const result = await runEngine(engine, speedAtStart);
  const file = path.join(outDir, `bench-${o.size}-${engine}-${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2));
  printResult(result);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

async function runEngine(engine: string, speedAtStart: MachineSpeed) {
  const { target, cleanup } = await engineTarget(engine, o.databaseUrl);
  const backends = engine === 'postgres' ? await BackendCpu.open(target) : undefined;
  const logFile = path.join(outDir, `bench-${o.size}-${engine}-${stamp}.server.log`);
  let server: RunningServer | undefined;
  let serverPeakRssMb = 0;
  const stopServer = async () => {
    if (!server) return;
    serverPeakRssMb = Math.max(serverPeakRssMb, server.peakRssMb());
    await server.stop();
    server = undefined;
  };
  const serve = async () => {
    const t0 = performance.now();
    const nodeArgs = [...o.serverNodeArgs, ...(o.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', path.join(outDir, `cpuprof-${o.size}-${engine}-${stamp}`)] : [])];
    server = await startServer({ engine, target, port: o.port, logFile, nodeArgs });
    return +((performance.now() - t0) / 1000).toFixed(1);
  };
  try {
    // 2. Import.
    console.log('importing …');
    let m = await meter(undefined, backends);
    const imported = await child(['bench/district-import.ts', target, district, '--counts', '--settle', '--clients', String(1 + o.clients)]);
    const importCpu = await m.end(imported.processCpuSeconds);
    if (imported.outcome !== 'succeeded') throw new Error(`import ${imported.outcome}`);
    console.log(`  ${imported.rows} rows in ${imported.seconds} s (${imported.rowsPerSecond} rows/s), peak RSS ${imported.peakRssMb} MB; VACUUM ANALYZE ${imported.settleSeconds} s`);
    const clients = imported.clients as Array<{ clientId: string; clientSecret: string }>;

    // 3. Serve and pull everything, as SDS does.
    const startSeconds = await serve();
    const serverRssAtStartMb = server!.rssMb();
    console.log(`server ready in ${startSeconds} s; full pull …`);
    const apiBase = () => `${server!.base}${apiPath}`;
    m = await meter(server, backends);
    const t0 = performance.now();
    const token = await requestToken(server!.base, clients[0].clientId, clients[0].clientSecret);
    const tokenMs = +(performance.now() - t0).toFixed(1);
    const full: Record<string, PullResult> = {};
    for (const c of FULL_PULL) {
      full[c] = await pull(apiBase(), token, c, ACTIVE);
      console.log(`  ${c}: ${full[c].records} records in ${full[c].seconds} s (${full[c].recordsPerSecond}/s, ${full[c].mbPerSecond} MB/s)`);
    }
    const pullSeconds = (performance.now() - t0) / 1000;
    const pullCpu = await m.end();
    const pullRecords = FULL_PULL.reduce((n, c) => n + full[c].records, 0);
    const pullBytes = FULL_PULL.reduce((n, c) => n + full[c].bytes, 0);

    // 4. Delta import, then the delta pull.
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    if (engine === 'pglite') await stopServer(); // the embedded database has one owner
    console.log(`delta import (since ${since}) …`);
    m = await meter(server, backends);
    const deltaImported = await child(['bench/district-import.ts', target, delta]);
    const deltaImportCpu = await m.end(deltaImported.processCpuSeconds);
    let restartSeconds: number | undefined;
    let deltaToken = token;
    if (!server) {
      restartSeconds = await serve();
      deltaToken = await requestToken(server!.base, clients[0].clientId, clients[0].clientSecret);
    }
    const DELTA = `filter=${encodeURIComponent(`dateLastModified>'${since}'`)}&limit=${o.limit}`;
    // The delta pull opens connections of its own, as a consumer coming back for a delta hours later
    // does. Otherwise it would reuse the full pull's connection where the delta import took less than
    // the server's keep-alive and open a new one where it took longer, and the sizes would measure
    // different things: a first page arrives more slowly on a new connection (docs/benchmarks.md).
    const fresh = new Agent();
    m = await meter(server, backends);
    const deltaUsers = await pull(apiBase(), deltaToken, 'users', DELTA, { collect: (r) => ({ status: r.status, middleName: r.middleName }), dispatcher: fresh });
    const deltaEnrollments = await pull(apiBase(), deltaToken, 'enrollments', DELTA, { collect: (r) => ({ status: r.status }), dispatcher: fresh });
    const deltaPullCpu = await m.end();
    // The same delta pull again, on the same connections: PGlite's first one runs on a just-restarted server (cold caches, lazily compiled validators).
    const repeat = [await pull(apiBase(), deltaToken, 'users', DELTA, { dispatcher: fresh }), await pull(apiBase(), deltaToken, 'enrollments', DELTA, { dispatcher: fresh })];
    await fresh.close();
    const exact = (got: Map<string, Record<string, unknown>>, want: Set<string>, ok: (r: Record<string, unknown>) => boolean) => {
      const missing = [...want].filter((id) => !got.has(id));
      const extra = [...got.keys()].filter((id) => !want.has(id));
      const wrong = [...got.entries()].filter(([, r]) => !ok(r)).map(([id]) => id);
      return { expected: want.size, returned: got.size, missing: missing.length, extra: extra.length, wrongContent: wrong.length, exact: !missing.length && !extra.length && !wrong.length, examples: [...missing, ...extra, ...wrong].slice(0, 5) };
    };
    const deltaCheck = {
      users: exact(deltaUsers.records_!, changed.users, (r) => r.status === 'active' && r.middleName === 'Delta'),
      enrollments: exact(deltaEnrollments.records_!, changed.enrollments, (r) => r.status === 'tobedeleted'),
    };
    console.log(`  delta users ${deltaUsers.records} (exact: ${deltaCheck.users.exact}), enrollments ${deltaEnrollments.records} (exact: ${deltaCheck.enrollments.exact})`);

    // 5. Concurrent clients, each with its own API client and token.
    console.log(`${o.clients} concurrent clients …`);
    const tokens = await Promise.all(clients.slice(1, 1 + o.clients).map((c) => requestToken(server!.base, c.clientId, c.clientSecret)));
    const groups = tokens.map((_, i) => CONCURRENT_GROUPS[i % CONCURRENT_GROUPS.length]);
    m = await meter(server, backends);
    const tc = performance.now();
    const runs = await Promise.all(
      groups.map(async (cols, i) => {
        const results: PullResult[] = [];
        for (const c of cols) results.push(await pull(apiBase(), tokens[i], c, ACTIVE));
        return results;
      }),
    );
    const concurrentSeconds = (performance.now() - tc) / 1000;
    const concurrentCpu = await m.end();
    const flat = runs.flat();
    const concurrentRecords = flat.reduce((n, r) => n + r.records, 0);
    // One client doing the same work one pull after another, at the rates measured in step 3.
    const sequentialSeconds = flat.reduce((n, r) => n + r.records / full[r.collection].recordsPerSecond, 0);
    serverPeakRssMb = Math.max(serverPeakRssMb, server!.peakRssMb());
    await stopServer();

    // 6. Where a page's time goes (straight on the store).
    let profile: unknown;
    if (o.profile) {
      console.log('profiling pages on the store …');
      profile = await child(['bench/district-profile.ts', target, since, String(o.limit)]);
    }

    // Before the store is dropped: dropping a database forces a checkpoint, which would slow the reference.
    const speedAtEnd = await machineSpeed(o.databaseUrl);

    const strip = ({ records_: _, pages, ...r }: PullResult) => ({ ...r, ...pageStats(pages), pageSamples: pages });
    return {
      benchmark: 'district',
      size: o.size,
      engine,
      apiVersion: o.version,
      /** Node flags of the server: those of `npm start`, then --server-node-args. */
      serverNodeArgs: [...startNodeFlags(), ...o.serverNodeArgs],
      startedAt: stamp,
      machine: { ...machine, engine: engine === 'postgres' ? machine.postgres : machine.pglite },
      district: { path: path.relative(process.cwd(), district), options: d, generatorSeconds: generated.seconds, files: generated.files, ...imported.counts },
      import: { rows: imported.rows, seconds: imported.seconds, rowsPerSecond: imported.rowsPerSecond, peakRssMb: imported.peakRssMb, files: imported.files, cpu: importCpu, settleSeconds: imported.settleSeconds },
      serverStartSeconds: startSeconds,
      serverRssAtStartMb,
      fullPull: {
        tokenMs,
        records: pullRecords,
        bytes: pullBytes,
        seconds: +pullSeconds.toFixed(2),
        recordsPerSecond: Math.round(pullRecords / pullSeconds),
        mbPerSecond: +(pullBytes / 2 ** 20 / pullSeconds).toFixed(2),
        errors: FULL_PULL.flatMap((c) => full[c].errors),
        cpu: pullCpu,
        collections: Object.fromEntries(FULL_PULL.map((c) => [c, strip(full[c])])),
      },
      delta: {
        since,
        import: { rows: deltaImported.rows, seconds: deltaImported.seconds, rowsPerSecond: deltaImported.rowsPerSecond, peakRssMb: deltaImported.peakRssMb, files: deltaImported.files, cpu: deltaImportCpu },
        serverStoppedForImport: engine === 'pglite',
        restartSeconds,
        pull: { users: strip(deltaUsers), enrollments: strip(deltaEnrollments), cpu: deltaPullCpu },
        maxPageMs: Math.max(...deltaUsers.pages.map((p) => p.ms), ...deltaEnrollments.pages.map((p) => p.ms)),
        repeat: { users: pageStats(repeat[0].pages), enrollments: pageStats(repeat[1].pages), maxPageMs: Math.max(...repeat.flatMap((r) => r.pages.map((p) => p.ms))) },
        check: deltaCheck,
      },
      concurrent: {
        clients: groups.length,
        collections: groups.map((g) => g.join('+')),
        records: concurrentRecords,
        seconds: +concurrentSeconds.toFixed(2),
        recordsPerSecond: Math.round(concurrentRecords / concurrentSeconds),
        errors: flat.reduce((n, r) => n + r.errors.length, 0),
        errorSamples: flat.flatMap((r) => r.errors).slice(0, 10),
        singleClientRecordsPerSecond: Math.round(pullRecords / pullSeconds),
        sameWorkOneClientSeconds: +sequentialSeconds.toFixed(2),
        cpu: concurrentCpu,
        perClient: runs.map((rs, i) => ({
          collections: groups[i].join('+'),
          records: rs.reduce((n, r) => n + r.records, 0),
          seconds: +rs.reduce((n, r) => n + r.seconds, 0).toFixed(2),
          errors: rs.reduce((n, r) => n + r.errors.length, 0),
          pageMs: pageStats(rs.flatMap((r) => r.pages)),
        })),
      },
      serverPeakRssMb,
      serverLog: path.relative(process.cwd(), logFile),
      profile,
      machineSpeed: { atStart: speedAtStart, atEnd: speedAtEnd },
    };
  } finally {
    await stopServer().catch(() => {});
    await backends?.close();
    if (o.keep) console.log(`kept the ${engine} store: ${target}`);
    else cleanup();
  }
}

/** Runs a bench child script (node --import tsx) and returns the JSON of its last stdout line. */
function child(args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${args[0]} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function machineInfo() {
  const git = (...a: string[]) => spawnSync('git', ['--no-optional-locks', ...a], { encoding: 'utf8' }).stdout?.trim() ?? '';
  let postgres: Record<string, string> | string;
  try {
    const c = new pg.Client({ connectionString: o.databaseUrl });
    await c.connect();
    const one = async (sql: string) => (await c.query(sql)).rows[0];
    postgres = {
      version: (await one('select version() as v')).v,
      shared_buffers: (await one('show shared_buffers')).shared_buffers,
      max_wal_size: (await one('show max_wal_size')).max_wal_size,
      work_mem: (await one('show work_mem')).work_mem,
    };
    await c.end();
  } catch (e) {
    postgres = `unavailable: ${(e as Error).message}`;
  }
  const pgliteVersion = JSON.parse(fs.readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')).version as string;
  const dirty = git('status', '--porcelain').split('\n').filter(Boolean);
  return {
    host: os.hostname(),
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
    postgres,
    pglite: { version: pgliteVersion },
    commit: git('rev-parse', '--short', 'HEAD'),
    /** Uncommitted changes in the working tree when the benchmark ran (the server runs the working tree). */
    uncommitted: dirty.slice(0, 50),
  };
}
