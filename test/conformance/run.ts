/**
 * `npm run conformance`: the real CLI and server against Microsoft's SDS Postman collection and
 * the project's own collection (postman/), with newman.
 *
 * 1. builds the conformance dataset (test/conformance/dataset.ts) in a temp folder;
 * 2. imports it with `rollcall import` into a fresh store: a temp PGlite folder, or a fresh database
 *    on the server of CONFORMANCE_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (first set wins;
 *    the database named there is never written, only used to create and drop the fresh one);
 *    records the time T, waits 1.1 s and imports the delta package;
 * 3. creates API clients with `rollcall clients create` and starts `rollcall serve`;
 * 4. runs Microsoft's collection (all four folders; skipped when ../shared is absent), then ours;
 * 5. prints per-collection totals and every failure, and exits 1 on any unexpected failure.
 * Server, temp folders and the database are cleaned up on every exit path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import newman, { type NewmanFailure, type NewmanItem, type NewmanResponse, type NewmanSummary } from 'newman';
import pg from 'pg';
import { buildDataset, TENANT, type Dataset } from './dataset.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/rollcall.js');
const SDS_DIR = path.resolve(ROOT, '../shared/conformance/sds-postman');
const SDS_COLLECTION = path.join(SDS_DIR, 'SDS V2 OneRoster v1.1-OAuth2.postman_collection.json');
const OWN_COLLECTION = path.join(ROOT, 'postman/rollcall-conformance.postman_collection.json');

/** The SDS requests Rollcall answers 501 `unsupported` on purpose (it offers no gradebook). */
const GRADEBOOK = new Set(['Get Gradebook lineItems', 'Get Gradebook Categories', 'Get Gradebook results for lineItem (by class)']);
const GRADEBOOK_TEST = 'Status code is 200';

// ---------------------------------------------------------------------------------------------
// Cleanup: every resource registers its undo; they run in reverse order, once, on any exit path.

const cleanups: Array<{ what: string; run: () => Promise<void> | void }> = [];
let cleaning: Promise<void> | undefined;

function onCleanup(what: string, run: () => Promise<void> | void): void {
  cleanups.push({ what, run });
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch (e) {
        process.stderr.write(`conformance: cleanup (${c.what}) failed: ${(e as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\nconformance: ${signal}, cleaning up\n`);
    void cleanup().then(() => process.exit(130));
  });
}

const log = (s = '') => process.stdout.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------
// The store: environment for every CLI and server process.

type Store = { env: Record<string, string>; label: string };

async function freshStore(tmp: string): Promise<Store> {
  const [varName, server] = (['CONFORMANCE_DATABASE_URL', 'TEST_DATABASE_URL', 'DATABASE_URL'] as const)
    .map((v) => [v, process.env[v]] as const)
    .find(([, v]) => v) ?? [undefined, undefined];
  if (!server) {
    const dataDir = path.join(tmp, 'data');
    return { env: { ROLLCALL_DATA_DIR: dataDir, DATABASE_URL: '' }, label: `embedded PGlite in ${dataDir}` };
  }
  const name = `rollcall_conformance_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  onCleanup(`drop database ${name}`, () => admin(`drop database if exists ${name} with (force)`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { env: { DATABASE_URL: url.toString() }, label: `Postgres database ${name} (fresh, on the server of ${varName})` };
}

// ---------------------------------------------------------------------------------------------
// The real CLI and server.

type Run = { code: number | null; stdout: string; stderr: string };

/** CLI processes still running (stopped by cleanup before their data folder is removed). */
const running = new Set<ChildProcess>();

function rollcall(args: string[], store: Store): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...store.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

async function mustRun(args: string[], store: Store): Promise<Run> {
  const r = await rollcall(args, store);
  if (r.code !== 0) throw new Error(`rollcall ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r;
}

async function importPackage(dir: string, store: Store): Promise<void> {
  const r = await rollcall(['import', dir, '--tenant', TENANT, '--json'], store);
  let summary = '';
  try {
    const report = JSON.parse(r.stdout) as { outcome: string; files: Array<Record<string, number | string>>; problems: unknown[] };
    summary = report.files.map((f) => `${f.file} ${f.mode}: +${f.created} ~${f.updated} †${f.tombstoned}`).join(', ');
    if (report.problems.length) summary += `\n  problems: ${JSON.stringify(report.problems, null, 2)}`;
  } catch {
    summary = r.stdout;
  }
  if (r.code !== 0) throw new Error(`rollcall import ${dir} exited ${r.code}: ${summary}\n${r.stderr}`);
  log(`  imported ${path.basename(dir)}: ${summary}`);
}

type Client = { clientId: string; clientSecret: string };

async function createClient(store: Store, name: string, scopes?: string): Promise<Client> {
  const r = await mustRun(['clients', 'create', '--tenant', TENANT, '--name', name, ...(scopes ? ['--scopes', scopes] : []), '--json'], store);
  const c = JSON.parse(r.stdout) as Client;
  if (!c.clientId || !c.clientSecret) throw new Error(`rollcall clients create printed no id/secret: ${r.stdout}`);
  return c;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(store: Store): Promise<string> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
    cwd: ROOT,
    // The conformance run is not about throttling: the paging checks alone make ~300 requests.
    env: { ...process.env, ...store.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PUBLIC_URL: '', ROLLCALL_RATE_LIMIT: '1000000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let serving = false;
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => {
    output += d;
    if (serving) process.stderr.write(`  [server] ${d}`);
  });
  onCleanup(`stop the server (pid ${child.pid})`, () => stopChild(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`rollcall serve exited (${child.exitCode}) before serving:\n${output}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) {
        serving = true;
        return url;
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`rollcall serve did not answer ${url}/health within 120 s:\n${output}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------------------------
// newman.

type Env = Record<string, string>;
type Seen = { name: string; folder: string; code?: number; body?: string };
type Failure = { request: string; assertion: string; message: string; response?: string };
type Outcome = {
  label: string;
  /** Requests in the collection, and HTTP requests made in all (scripts' pm.sendRequest included). */
  items: number;
  requests: number;
  assertions: number;
  failedAssertions: number;
  perFolder: Map<string, { assertions: number; failed: number }>;
  expected: Failure[];
  unexpected: Failure[];
};

const excerpt = (s: Seen | undefined) =>
  s === undefined ? 'no response' : s.code === undefined ? 'no response (request error)' : `HTTP ${s.code}: ${(s.body ?? '').replace(/\s+/g, ' ').slice(0, 400)}`;

function runNewman(label: string, collectionFile: string, env: Env, isExpected: (f: NewmanFailure, seen?: Seen) => boolean): Promise<Outcome> {
  const collection = JSON.parse(fs.readFileSync(collectionFile, 'utf8'));
  const environment = { name: `${label} (generated)`, values: Object.entries(env).map(([key, value]) => ({ key, value, enabled: true })) };
  const seen = new Map<string, Seen>();
  const perFolder = new Map<string, { assertions: number; failed: number }>();
  const folderOf = (item: NewmanItem) => item.parent()?.name ?? '';

  return new Promise((resolve, reject) => {
    const emitter = newman.run({ collection, environment, reporters: [], timeoutRequest: 60_000, timeoutScript: 300_000 }, (err, summary: NewmanSummary) => {
      if (err) return reject(err);
      const stats = summary.run.stats;
      const outcome: Outcome = {
        label, items: stats.items.total, requests: stats.requests.total, assertions: stats.assertions.total, failedAssertions: stats.assertions.failed,
        perFolder, expected: [], unexpected: [],
      };
      for (const f of summary.run.failures) {
        const s = f.source ? seen.get(f.source.id) : undefined;
        const request = f.source ? `${folderOf(f.source) ? `${folderOf(f.source)} / ` : ''}${f.source.name}` : '(collection)';
        const failure: Failure = {
          request,
          assertion: f.error.test ?? `${f.error.name} at ${f.at ?? '?'}`,
          message: f.error.message,
          response: excerpt(s),
        };
        (isExpected(f, s) ? outcome.expected : outcome.unexpected).push(failure);
      }
      if (summary.run.error) outcome.unexpected.push({ request: '(run)', assertion: 'newman run', message: String(summary.run.error) });
      resolve(outcome);
    });
    emitter.on('request', (err: Error | null, args: { item: NewmanItem; response?: NewmanResponse }) => {
      const s: Seen = { name: args.item.name, folder: folderOf(args.item) };
      if (!err && args.response) {
        s.code = args.response.code;
        s.body = args.response.stream?.toString('utf8');
      }
      seen.set(args.item.id, s);
    });
    emitter.on('assertion', (err: Error | null, args: { item: NewmanItem }) => {
      const folder = folderOf(args.item);
      const c = perFolder.get(folder) ?? { assertions: 0, failed: 0 };
      c.assertions++;
      if (err) c.failed++;
      perFolder.set(folder, c);
    });
    emitter.on('item', (_err: Error | null, args: { item: NewmanItem }) => {
      const s = seen.get(args.item.id);
      process.stdout.write(`    ${s?.code ?? '---'}  ${s?.folder ? `${s.folder} / ` : ''}${args.item.name}\n`);
    });
  });
}

/** Exactly the three gradebook "Status code is 200" tests, and only when Rollcall said 501 unsupported. */
function gradebookNotOffered(f: NewmanFailure, s?: Seen): boolean {
  if (!f.source || !GRADEBOOK.has(f.source.name) || f.error.test !== GRADEBOOK_TEST || s?.code !== 501) return false;
  try {
    return JSON.parse(s.body ?? '').statusInfoSet?.[0]?.imsx_codeMajor === 'unsupported';
  } catch {
    return false;
  }
}

function report(o: Outcome): void {
  const sent = o.requests > o.items ? ` (${o.requests} HTTP requests with the scripts' own)` : '';
  log(`\n${o.label}: ${o.items} requests${sent}, ${o.assertions} assertions, ${o.failedAssertions} failed` +
    ` (${o.expected.length} expected, ${o.unexpected.length} unexpected failure${o.unexpected.length === 1 ? '' : 's'})`);
  for (const [folder, c] of o.perFolder) log(`  ${folder || '(top level)'}: ${c.assertions} assertions, ${c.failed} failed`);
  for (const f of o.expected) log(`  expected: gradebook is not offered — ${f.request}: "${f.assertion}" (${f.response})`);
  for (const f of o.unexpected) {
    log(`  FAILED: ${f.request}\n    assertion: ${f.assertion}\n    message:   ${f.message}`);
    if (f.response) log(`    response:  ${f.response}`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-conformance-'));
  onCleanup(`remove ${tmp}`, () => fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 }));
  onCleanup('stop running rollcall commands', () => Promise.all([...running].map(stopChild)).then(() => undefined));

  log('Rollcall conformance run');
  const dataset: Dataset = await buildDataset(path.join(tmp, 'packages'));
  log(`  dataset: demo district + a1, school ${dataset.schoolId}, class ${dataset.classId}, school year ${dataset.schoolYear}`);
  const store = await freshStore(tmp);
  log(`  store: ${store.label}`);

  await importPackage(dataset.base, store);
  const deltaTime = new Date();
  await sleep(1_100);
  await importPackage(dataset.delta, store);
  log(`  delta time T = ${deltaTime.toISOString()}`);

  const client = await createClient(store, 'conformance');
  const core = await createClient(store, 'conformance core-only', 'core');
  log(`  API clients: ${client.clientId} (all scopes), ${core.clientId} (core only)`);

  const host = await startServer(store);
  log(`  server: ${host}`);

  const sdsEnv: Env = {
    OneRosterHost: host,
    Oauth2TokenAddress: `${host}/oauth/token`,
    OneRosterConsumerKey: client.clientId,
    OneRosterConsumerSecret: client.clientSecret,
    SchoolYear: dataset.schoolYear,
    DeltaDateTime: '2020-01-01T01:00:00.000Z',
    Scopes: '',
    // The Classic folder asks for /schools/{school_id} before any request sets it (spec/sds.md K5 g).
    school_id: dataset.schoolId,
  };
  const ownEnv: Env = {
    ...sdsEnv,
    CoreConsumerKey: core.clientId,
    CoreConsumerSecret: core.clientSecret,
    DeltaTime: deltaTime.toISOString(),
    DeltaUsers: dataset.changed.users.join(','),
    DeltaClasses: dataset.changed.classes.join(','),
    DeltaEnrollments: dataset.changed.enrollments.join(','),
    DeltaNone: '',
    TombstonedUser: dataset.tombstoned.user,
    TombstonedEnrollment: dataset.tombstoned.enrollment,
    class_id: dataset.classId,
    term_id: dataset.termId,
  };

  const outcomes: Outcome[] = [];
  if (fs.existsSync(SDS_COLLECTION)) {
    log(`\n  Microsoft SDS collection (${path.relative(ROOT, SDS_COLLECTION)}):`);
    outcomes.push(await runNewman('Microsoft SDS collection', SDS_COLLECTION, sdsEnv, gradebookNotOffered));
  } else {
    log(`\n  Microsoft SDS collection: skipped: ../shared absent (${SDS_COLLECTION} not found)`);
  }
  log(`\n  Rollcall collection (${path.relative(ROOT, OWN_COLLECTION)}):`);
  outcomes.push(await runNewman('Rollcall collection', OWN_COLLECTION, ownEnv, () => false));

  outcomes.forEach(report);
  const unexpected = outcomes.reduce((n, o) => n + o.unexpected.length, 0);
  log(unexpected === 0 ? '\nconformance: passed' : `\nconformance: ${unexpected} unexpected failure${unexpected === 1 ? '' : 's'}`);
  return unexpected === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  // After an interrupt, what failed is only the step the cleanup cut short.
  if (!interrupted) process.stderr.write(`conformance: ${(e as Error).stack ?? e}\n`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(interrupted ? 130 : code);
