import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { openDatabase } from '../../src/store/db.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { rollcall, startServer } from '../helpers/cli.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-serve-'));
const env = { ROLLCALL_DATA_DIR: dataDir, ROLLCALL_DEMO_STUDENTS: '120', DATABASE_URL: '' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` holds, at most 10 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (const start = performance.now(); !done(); await sleep(20)) {
    if (performance.now() - start > 10_000) throw new Error(`no ${what} within 10 s`);
  }
}

/** One TCP connection to the server, on which GET /health is sent by hand; records what comes back. */
function rawConnection(url: string) {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d));
  return {
    get: () => socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    responses: () => received.match(/HTTP\/1\.1 200 /g)?.length ?? 0, // a response follows the body before it on the same line
    keepAliveHeader: () => /^Keep-Alive: (.*)\r$/m.exec(received)?.[1],
    isOpen: () => !socket.destroyed && socket.readyState === 'open',
    destroy: () => socket.destroy(),
  };
}

async function counts() {
  const db = await openDatabase({ dataDir, command: 'test' });
  try {
    const q = async (sql: string) => (await db.knex.raw(sql)).rows[0].n as number;
    return {
      tenants: await q('select count(*)::int as n from tenants'),
      users: await q('select count(*)::int as n from users'),
      enrollments: await q('select count(*)::int as n from enrollments'),
      clients: await q('select count(*)::int as n from api_clients'),
    };
  } finally {
    await db.close();
  }
}

describe('rollcall serve on the embedded database', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('first start loads the demo district, prints credentials, and owns the data folder', async () => {
    const server = await startServer(env);
    try {
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', database: 'pglite' });
      assert.match(server.stdout(), /OneRoster 1\.1 +http:\/\/localhost:\d+\/ims\/oneroster\/v1p1/);
      assert.match(server.stdout(), /Loaded the demo district into tenant "demo"/);
      assert.match(server.stdout(), /client id +rc_\S+\n +client secret +\S{40,}/);

      const refused = await rollcall(['import', FIXTURE_1P1, '--tenant', 'x'], env);
      assert.equal(refused.code, 75);
      assert.match(refused.stderr, new RegExp(`in use by \`rollcall serve\` \\(pid ${server.child.pid}, serving ${server.url}`));
    } finally {
      await server.stop();
    }
  });

  test('a second start keeps the data and loads nothing again', async () => {
    const before = await counts();
    assert.equal(before.tenants, 1);
    assert.ok(before.users > 120 && before.enrollments > 500, JSON.stringify(before));
    const server = await startServer(env);
    try {
      assert.doesNotMatch(server.stdout(), /Loaded the demo district/);
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
    } finally {
      await server.stop();
    }
    assert.deepEqual(await counts(), before);
  });

  test('idle connections stay open for ROLLCALL_KEEP_ALIVE_SECONDS (default 75), longer than a load balancer\'s', async () => {
    const byDefault = await startServer(env);
    try {
      const c = rawConnection(byDefault.url);
      c.get();
      await until(() => c.responses() === 1, 'response');
      assert.equal(c.keepAliveHeader(), 'timeout=75');
      c.destroy();
    } finally {
      await byDefault.stop();
    }
    const short = await startServer({ ...env, ROLLCALL_KEEP_ALIVE_SECONDS: '2' });
    try {
      const c = rawConnection(short.url);
      c.get();
      await until(() => c.responses() === 1, 'response');
      assert.equal(c.keepAliveHeader(), 'timeout=2');
      await sleep(1200); // idle, within the keep-alive: the same connection takes the next request
      assert.ok(c.isOpen());
      c.get();
      await until(() => c.responses() === 2, 'second response');
      const idleSince = performance.now();
      await until(() => !c.isOpen(), 'close'); // then, idle past it, the server closes it
      const idleMs = performance.now() - idleSince;
      assert.ok(idleMs > 1500 && idleMs < 10_000, `closed after ${idleMs.toFixed(0)} ms idle`);
    } finally {
      await short.stop();
    }
  });

  test('a package path that does not exist is refused before the database is opened', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-none-'));
    const r = await rollcall(['import', '/no/such/export.zip', '--tenant', 'x'], { ...env, ROLLCALL_DATA_DIR: path.join(elsewhere, 'data') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/no\/such\/export\.zip: no such folder or zip file/);
    assert.equal(fs.existsSync(path.join(elsewhere, 'data')), false);
  });

  test('with the server stopped, the CLI imports into the same folder', async () => {
    const r = await rollcall(['import', FIXTURE_1P1, '--tenant', 'springfield', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.tenantCreated, true);
    assert.equal(report.outcome, 'succeeded');
  });
});
