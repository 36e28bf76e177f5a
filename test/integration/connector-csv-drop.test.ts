import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { writeDemoCsv } from '../../src/demo/generate.js';
import { createConnection } from '../../src/ingest/connections/connections.js';
import { testConnection } from '../../src/ingest/connections/test-connection.js';
import { registerShippedConnectors } from '../../src/ingest/connectors/all.js';
import { runSync } from '../../src/ingest/sync/run-sync.js';
import { createLogger } from '../../src/log.js';
import { ENTITIES, type EntityName } from '../../src/model/entities.js';
import type { Database } from '../../src/store/db.js';
import { ensureTenant } from '../../src/store/tenants.js';
import { FIXTURE_1P1, fixturePackage } from '../helpers/csv-package.js';
import { apiReader } from '../helpers/api-reader.js';
import { engines } from '../helpers/engines.js';
import { changedKeys, snapshot } from '../helpers/store-snapshot.js';
import { zipFolder } from '../helpers/zip-folder.js';
import { generateSshKey } from '../simulators/sftp/keys.js';
import { startSftpSimulator, type SftpSimulator } from '../simulators/sftp/server.js';

const PASSWORD = 'Sftp-Pa55word-for-the-district!';
const PASSPHRASE = 'key-passphrase-of-the-district';
const clientKey = generateSshKey({ passphrase: PASSPHRASE });
const keyRing = KeyRing.fromEnvValue(KeyRing.generateKey());
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-csv-drop-test-'));

/** Everything any logger wrote, at debug level, to check for secrets. */
const logLines: string[] = [];
const log = createLogger('debug', { write: (line: string) => void logLines.push(line) });

const CSV_OF: Record<EntityName, string> = {
  orgs: 'orgs.csv', academicSessions: 'academicSessions.csv', courses: 'courses.csv', classes: 'classes.csv',
  users: 'users.csv', enrollments: 'enrollments.csv', demographics: 'demographics.csv',
};

const csvRows = (dir: string, file: string): Array<Record<string, string>> => parse(fs.readFileSync(path.join(dir, file), 'utf8'), { columns: true, bom: true });

/** The simulated district, written once for every engine: ~10,000 users as OneRoster 1.1 CSV. */
const DISTRICT = path.join(work, 'district');
const CHANGED = path.join(work, 'district-changed');
const CHANGED_USER = 'usr-stu-0000001';
const REMOVED_USER = 'usr-adm-000002';
let districtReady: Promise<void> | undefined;
const district = () =>
  (districtReady ??= (async () => {
    await writeDemoCsv(DISTRICT, { students: 5000, classesPerStudent: 2 }); // 10,060 users; few classes keep the import quick
    fs.cpSync(DISTRICT, CHANGED, { recursive: true });
    const users = fs.readFileSync(path.join(CHANGED, 'users.csv'), 'utf8').split('\n');
    const edited = users
      .filter((l) => !l.startsWith(`${REMOVED_USER},`))
      .map((l) => (l.startsWith(`${CHANGED_USER},`) ? l.replace(/,student,([^,]*),([^,]*),([^,]*),/, ',student,$1,$2,Renamed,') : l));
    assert.equal(edited.length, users.length - 1);
    assert.ok(edited.some((l) => l.startsWith(`${CHANGED_USER},`) && l.includes(',Renamed,')));
    fs.writeFileSync(path.join(CHANGED, 'users.csv'), edited.join('\n'));
  })());

/** Puts a zip of `dir` at `<root>/<remoteDir>/<name>` with the given modification time. */
async function drop(sim: SftpSimulator, remoteDir: string, name: string, dir: string, mtime: Date): Promise<string> {
  const target = path.join(sim.root, remoteDir);
  fs.mkdirSync(target, { recursive: true });
  const file = await zipFolder(dir, path.join(target, name));
  fs.utimesSync(file, mtime, mtime);
  return file;
}

const day = (d: number) => new Date(Date.UTC(2024, 4, d, 2, 0, 0));

for (const engine of engines()) {
  describe(`OneRoster CSV drop connector (${engine.name})`, () => {
    let db: Database;
    let sim: SftpSimulator;
    let connId: string;
    const deps = () => ({ knex: db.knex, keyRing, log });
    const sftpConfig = (remoteDir: string, extra: Record<string, unknown> = {}) => ({
      transport: 'sftp', path: `/${remoteDir}`, host: sim.host, port: sim.port, username: 'district', hostKeySha256: sim.hostKeySha256, ...extra,
    });
    const connect = async (tenant: string, config: Record<string, unknown>, credentials: Record<string, unknown> = { password: PASSWORD }) => {
      await ensureTenant(db.knex, tenant);
      return createConnection(db.knex, { tenant, name: 'Nightly SIS drop', provider: 'oneroster-csv', config, credentials }, keyRing);
    };

    before(async () => {
      registerShippedConnectors();
      await district();
      const root = fs.mkdtempSync(path.join(work, `sftp-${engine.name}-`));
      sim = await startSftpSimulator({ root, users: { district: { password: PASSWORD, publicKey: clientKey.publicKey } } });
      await drop(sim, 'small/outbound', 'roster-20240501.zip', FIXTURE_1P1, day(1));
      db = await engine.open();
    });
    after(async () => {
      await sim?.close();
      await db?.close();
    });

    test('(a) a ~10,000-user district on SFTP: Test connection passes, a run imports exactly its records, owned by the connection', async () => {
      await drop(sim, 'a/outbound', 'roster-20240501.zip', DISTRICT, day(1));
      const conn = await connect('district-a', sftpConfig('a/outbound'));
      connId = conn.id;

      const tested = await testConnection(deps(), conn.id);
      assert.equal(tested.connection.status, 'success', tested.connection.lastMessage ?? '');
      assert.deepEqual(tested.probes.map((p) => p.entity).sort(), Object.keys(CSV_OF).sort());
      assert.ok(tested.probes.every((p) => p.ok && p.message.includes('roster-20240501.zip')), JSON.stringify(tested.probes));

      const run = await runSync(deps(), conn.id);
      assert.equal(run.outcome, 'success', JSON.stringify(run));
      for (const [entity, file] of Object.entries(CSV_OF) as [EntityName, string][]) {
        const expected = csvRows(DISTRICT, file).map((r) => r.sourcedId).sort();
        const rows = (await db.knex.raw(`select sourced_id, status, source from ${ENTITIES[entity].table} where tenant_id = 'district-a' order by sourced_id`)).rows;
        assert.deepEqual(rows.map((r: any) => r.sourced_id).sort(), expected, `${entity}: the store holds exactly the package's records`);
        assert.ok(rows.every((r: any) => r.status === 'active' && r.source === conn.id), `${entity}: active and owned by ${conn.id}`);
        assert.equal(run.entities.find((e) => e.entity === entity)?.created, expected.length, `${entity} created`);
      }
      const users = (await db.knex.raw(`select count(*)::int as n from users where tenant_id = 'district-a'`)).rows[0].n;
      assert.ok(users >= 10_000, `a district of at least 10,000 users (${users})`);
      const api = await apiReader(db);
      try {
        for (const [entity, file] of Object.entries(CSV_OF) as [EntityName, string][]) {
          assert.deepEqual(await api.ids('district-a', entity), csvRows(DISTRICT, file).map((r) => r.sourcedId).sort(), `${entity}: the API serves exactly the package's records`);
        }
      } finally {
        await api.close();
      }
    });

    test('(b) a second run over the same zip moves no dateLastModified', async () => {
      const before = await snapshot(db.knex, 'district-a');
      const run = await runSync(deps(), connId);
      assert.equal(run.outcome, 'success', JSON.stringify(run));
      assert.deepEqual(run.entities.map((e) => [e.entity, e.created + e.updated + e.tombstoned]), run.entities.map((e) => [e.entity, 0]));
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, 'district-a')), []);
    });

    test('(c) a newer zip with one user changed and one removed: exactly one update and one tombstone', async () => {
      const before = await snapshot(db.knex, 'district-a');
      await drop(sim, 'a/outbound', 'roster-20240502.zip', CHANGED, day(2));
      const run = await runSync(deps(), connId);
      assert.equal(run.outcome, 'success', JSON.stringify(run));
      const users = run.entities.find((e) => e.entity === 'users')!;
      assert.deepEqual([users.created, users.updated, users.tombstoned], [0, 1, 1]);
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, 'district-a')), [`users/${CHANGED_USER}`, `users/${REMOVED_USER}`].sort());
      const rows = (await db.knex.raw(`select sourced_id, status, case when status = 'active' then data->>'givenName' end as g from users where tenant_id = 'district-a' and sourced_id in (?, ?) order by sourced_id`, [REMOVED_USER, CHANGED_USER])).rows;
      assert.deepEqual(rows, [{ sourced_id: REMOVED_USER, status: 'tobedeleted', g: null }, { sourced_id: CHANGED_USER, status: 'active', g: 'Renamed' }]);
      const api = await apiReader(db);
      try {
        const served = await api.records('district-a', 'users', `dateLastModified>'${run.startedAt}'`);
        assert.deepEqual(served.map((u) => `${u.sourcedId} ${u.status}`).sort(), [`${CHANGED_USER} active`, `${REMOVED_USER} tobedeleted`].sort(), 'the API\'s delta shows the change and the deletion');
      } finally {
        await api.close();
      }
    });

    test('(d) refused login: the run fails with an actionable message and nothing changes', async () => {
      const before = await snapshot(db.knex, 'district-a');
      sim.faults.refuseLogin = true;
      try {
        const run = await runSync(deps(), connId);
        assert.equal(run.outcome, 'failed');
        assert.match(run.error!, new RegExp(`^SFTP login refused for user district at 127\\.0\\.0\\.1:${sim.port}: check the username and password/key$`));
        const tested = await testConnection(deps(), connId);
        assert.equal(tested.connection.status, 'error');
        assert.match(tested.connection.lastMessage!, /SFTP login refused for user district/);
      } finally {
        sim.faults.refuseLogin = false;
      }
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, 'district-a')), []);
    });

    test('(d) the connection drops in the middle of the download: the run fails and nothing changes', async () => {
      const before = await snapshot(db.knex, 'district-a');
      const newer = await drop(sim, 'a/outbound', 'roster-20240503.zip', DISTRICT, day(3)); // would revert (c) if it were imported
      sim.faults.dropAfterBytes = 200_000;
      const drops = sim.stats.drops;
      try {
        const run = await runSync(deps(), connId);
        assert.equal(run.outcome, 'failed');
        assert.match(run.error!, /^the connection to 127\.0\.0\.1:\d+ dropped while downloading \/a\/outbound\/roster-20240503\.zip \(\d+ of \d+ bytes\): the next run will try again/);
        assert.ok(sim.stats.drops > drops, 'the simulator cut the connection');
      } finally {
        sim.faults.dropAfterBytes = undefined;
        fs.rmSync(newer);
      }
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, 'district-a')), []);
    });

    test('(d) files still being uploaded (a newer .part, a newer zip still growing) are passed over for the last complete zip', async () => {
      const conn = await connect('district-small', sftpConfig('small/outbound'));
      assert.equal((await runSync(deps(), conn.id)).outcome, 'success');
      const before = await snapshot(db.knex, 'district-small');
      const edited = fixturePackage({ 'users.csv': (old) => old.replace('Ben,Okafor', 'Benjamin,Okafor') });
      const part = await drop(sim, 'small/outbound', 'roster-20240504.zip.part', edited, day(4));
      const growing = await drop(sim, 'small/outbound', 'roster-20240505.zip', edited, day(5));
      sim.faults.growing = ['roster-20240505.zip'];
      const mark = logLines.length;
      try {
        const run = await runSync(deps(), conn.id);
        assert.equal(run.outcome, 'success', JSON.stringify(run));
        const lines = logLines.slice(mark).map((l) => JSON.parse(l));
        const taken = lines.find((l) => l.msg === 'csv drop: taking package');
        assert.match(taken.package, /^roster-20240501\.zip /);
        const skipped = lines.find((l) => Array.isArray(l.skipped))?.skipped.map((s: { name: string }) => s.name).sort();
        assert.deepEqual(skipped, ['roster-20240504.zip.part', 'roster-20240505.zip']);
      } finally {
        sim.faults.growing = undefined;
        fs.rmSync(part);
        fs.rmSync(growing);
      }
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, 'district-small')), []);
    });

    test('(d) a server whose host key differs from the pinned one is refused, naming both keys', async () => {
      const other = generateSshKey().fingerprint;
      const conn = await connect('district-a', sftpConfig('a/outbound', { hostKeySha256: other }));
      const before = await snapshot(db.knex, 'district-a');
      const run = await runSync(deps(), conn.id);
      assert.equal(run.outcome, 'failed');
      assert.equal(
        run.error,
        `the server's host key ${sim.hostKeySha256} does not match the pinned key ${other}: if the district changed its server, update hostKeySha256; otherwise something is intercepting the connection`,
      );
      const tested = await testConnection(deps(), conn.id);
      assert.equal(tested.connection.status, 'error');
      assert.match(tested.connection.lastMessage!, /does not match the pinned key/);
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, 'district-a')), []);
    });

    test('(d) an empty directory: Test connection and the run say there is no package there', async () => {
      const conn = await connect('district-empty', sftpConfig('small/outbound'));
      sim.faults.emptyDirectory = true;
      try {
        const tested = await testConnection(deps(), conn.id);
        assert.equal(tested.connection.status, 'error');
        assert.equal(tested.probes.length, 1);
        assert.match(tested.probes[0]!.message, /^no OneRoster package \(\*\.zip or a folder with manifest\.csv\) in \/small\/outbound on 127\.0\.0\.1:\d+/);
        const run = await runSync(deps(), conn.id);
        assert.equal(run.outcome, 'failed');
        assert.match(run.error!, /^no OneRoster package \(\*\.zip or a folder with manifest\.csv\) in \/small\/outbound on /);
      } finally {
        sim.faults.emptyDirectory = false;
      }
    });

    test('(d) a server that stops answering mid-download: the run gives up after the timeout', async () => {
      const conn = await connect('district-stall', sftpConfig('small/outbound', { timeoutSeconds: 1 }));
      sim.faults.stallReads = true;
      try {
        const started = Date.now();
        const run = await runSync(deps(), conn.id);
        assert.equal(run.outcome, 'failed');
        assert.match(run.error!, /^the download of \/small\/outbound\/roster-20240501\.zip on 127\.0\.0\.1:\d+ stalled \(0 of \d+ bytes, nothing for 1s\): the next run will try again$/);
        assert.ok(Date.now() - started < 10_000);
      } finally {
        sim.faults.stallReads = false;
      }
    });

    test('(d) public-key login with a passphrase works; a wrong passphrase is an actionable error', async () => {
      const good = await connect('district-key', sftpConfig('small/outbound'), { privateKey: clientKey.privateKey, passphrase: PASSPHRASE });
      const run = await runSync(deps(), good.id);
      assert.equal(run.outcome, 'success', JSON.stringify(run));
      const bad = await connect('district-key', sftpConfig('small/outbound'), { privateKey: clientKey.privateKey, passphrase: 'not-the-passphrase' });
      const failed = await runSync(deps(), bad.id);
      assert.equal(failed.outcome, 'failed');
      assert.match(failed.error!, /^the private key for 127\.0\.0\.1:\d+ could not be read/);
    });

    test('(d) the password, passphrase and private key appear in no error, stored run or log line', async () => {
      const stored = JSON.stringify([
        (await db.knex.raw('select report from sync_runs')).rows,
        (await db.knex.raw('select last_message from connections')).rows,
        (await db.knex.raw('select credentials_sealed from connections')).rows,
      ]);
      const logs = logLines.join('\n');
      assert.ok(logs.includes('SFTP login refused'), 'the refused login was logged');
      for (const secret of [PASSWORD, PASSPHRASE, clientKey.privateKey.split('\n')[5]!]) {
        assert.ok(!stored.includes(secret), 'not in stored runs or connections');
        assert.ok(!logs.includes(secret), 'not in logs');
      }
    });

    test('(e) folder transport: a local folder holding manifest.csv, then the newest zip in a folder', async () => {
      const flat = fixturePackage();
      const conn = await connect('district-folder', { transport: 'folder', path: flat });
      const tested = await testConnection(deps(), conn.id);
      assert.equal(tested.connection.status, 'success', tested.connection.lastMessage ?? '');
      const run = await runSync(deps(), conn.id);
      assert.equal(run.outcome, 'success', JSON.stringify(run));
      const expectedUsers = csvRows(FIXTURE_1P1, 'users.csv').map((r) => r.sourcedId).sort();
      const users = async (tenant: string) =>
        (await db.knex.raw(`select sourced_id from users where tenant_id = ? and status = 'active' and source = ? order by sourced_id`, [tenant, conn.id])).rows.map((r: any) => r.sourced_id);
      assert.deepEqual((await users('district-folder')).sort(), expectedUsers);

      const zips = fs.mkdtempSync(path.join(work, 'zips-'));
      const older = await zipFolder(flat, path.join(zips, 'export-1.zip'));
      fs.utimesSync(older, day(1), day(1));
      const changed = fixturePackage({ 'users.csv': (old) => old.replace('Ben,Okafor', 'Benjamin,Okafor') });
      const newer = await zipFolder(changed, path.join(zips, 'export-2.zip'));
      fs.utimesSync(newer, day(2), day(2));
      fs.writeFileSync(path.join(zips, 'export-3.zip.filepart'), 'half a zip');
      const zipConn = await connect('district-folder-zips', { transport: 'folder', path: zips });
      const second = await runSync(deps(), zipConn.id);
      assert.equal(second.outcome, 'success', JSON.stringify(second));
      const ben = (await db.knex.raw(`select data->>'givenName' as g from users where tenant_id = 'district-folder-zips' and sourced_id = 'usr-s2'`)).rows[0];
      assert.equal(ben.g, 'Benjamin', 'the newest complete zip was imported');
    });
  });
}

after(() => fs.rmSync(work, { recursive: true, force: true }));
