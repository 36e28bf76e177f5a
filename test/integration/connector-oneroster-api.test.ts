import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { createConnection } from '../../src/ingest/connections/connections.js';
import { testConnection } from '../../src/ingest/connections/test-connection.js';
import { registerShippedConnectors } from '../../src/ingest/connectors/all.js';
import { createOneRosterApiConnector, oneRosterApiConnector } from '../../src/ingest/connectors/oneroster-api/connector.js';
import { registerConnector } from '../../src/ingest/connectors/registry.js';
import { runSync } from '../../src/ingest/sync/run-sync.js';
import type { SyncReport } from '../../src/ingest/sync/report.js';
import { APPLY_ORDER, ENTITIES, type EntityName } from '../../src/model/entities.js';
import type { Database } from '../../src/store/db.js';
import { ensureTenant } from '../../src/store/tenants.js';
import { apiReader } from '../helpers/api-reader.js';
import { engines } from '../helpers/engines.js';
import { FakeClock } from '../simulators/faults/index.js';
import { buildDistrict, OneRosterSimulator, renderRecord, type SimAuth, type SimDistrict, type SimOptions } from '../simulators/oneroster-api/index.js';

const log = pino({ level: 'silent' });
const secretKey = KeyRing.generateKey();
const keyRing = KeyRing.fromEnvValue(secretKey);
const CHILD = path.resolve(import.meta.dirname, '../simulators/oneroster-api/sync-child.ts');

const CLIENT = { clientId: 'rollcall-sync', clientSecret: 's3cret-Upstream-Value' };
const OAUTH2: SimAuth = { kind: 'oauth2', ...CLIENT };
const OAUTH1: SimAuth = { kind: 'oauth1', consumerKey: CLIENT.clientId, consumerSecret: CLIENT.clientSecret };

/** Districts are built once per process (on the first engine's database) and shared by every simulator. */
const districts = new Map<string, Promise<SimDistrict>>();
const district = (db: Database, name: 'large' | 'small') => {
  if (!districts.has(name)) {
    // large: about 10,240 users (students, guardians, staff) and 41,500 enrollments; small: 336 users, 9 of them administrators.
    districts.set(name, buildDistrict(db.knex, name === 'large' ? { students: 5000, seed: 11 } : { students: 150, seed: 5, staffPerStudent: 0.4 }));
  }
  return districts.get(name)!;
};

type StoreRow = { sourced_id: string; status: 'active' | 'tobedeleted'; date_last_modified: Date; data: Record<string, any>; source: string };

async function storeRows(db: Database, tenant: string, entity: EntityName): Promise<StoreRow[]> {
  return (await db.knex.raw(`select sourced_id, status, date_last_modified, data, source from ${ENTITIES[entity].table} where tenant_id = ? order by sourced_id`, [tenant])).rows;
}

/** sourcedId -> "status dateLastModified" of every record of an entity. */
async function snapshot(db: Database, tenant: string, entity: EntityName): Promise<Record<string, string>> {
  return Object.fromEntries((await storeRows(db, tenant, entity)).map((r) => [r.sourced_id, `${r.status} ${new Date(r.date_last_modified).toISOString()}`]));
}

const withoutDate = (json: Record<string, unknown>) => {
  const { dateLastModified: _d, ...rest } = json;
  return rest;
};

/**
 * The store holds exactly the simulator's records: the same sourcedIds per entity, the same status,
 * the same canonical data; and, for a sample, Rollcall's serializer gives the simulator's own JSON.
 */
async function assertMatchesUpstream(db: Database, tenant: string, sim: OneRosterSimulator, sampleEvery = 1): Promise<void> {
  for (const entity of APPLY_ORDER) {
    const rows = await storeRows(db, tenant, entity);
    const upstream = sim.records(entity);
    assert.deepEqual(rows.map((r) => r.sourced_id), upstream.map((r) => r.sourcedId), `${entity}: the same sourcedIds`);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const up = upstream[i];
      assert.equal(row.status, up.status, `${entity}/${row.sourced_id} status`);
      assert.deepEqual(row.data, up.data, `${entity}/${row.sourced_id}: canonical data`);
      if (i % sampleEvery !== 0) continue;
      const served = renderRecord(entity, { sourcedId: row.sourced_id, status: row.status, dateLastModified: new Date(row.date_last_modified), data: row.data }, sim.dialect, sim.baseUrl);
      assert.deepEqual(withoutDate(served), withoutDate(sim.wire(entity, up)), `${entity}/${row.sourced_id}: Rollcall serves what upstream sent`);
    }
  }
}

const entityReport = (r: SyncReport, e: EntityName) => r.entities.find((x) => x.entity === e)!;
const sum = (r: SyncReport, f: 'created' | 'updated' | 'tombstoned' | 'skipped') => r.entities.reduce((n, e) => n + e[f], 0);

for (const engine of engines()) {
  describe(`oneroster-api connector (${engine.name})`, () => {
    let db: Database & { url?: string };
    const sims: OneRosterSimulator[] = [];
    const deps = () => ({ knex: db.knex, keyRing, log });
    let n = 0;

    const simulate = async (name: 'large' | 'small', opts: Omit<SimOptions, 'district'>) => {
      const sim = await OneRosterSimulator.start({ district: await district(db, name), ...opts });
      sims.push(sim);
      return sim;
    };
    const connect = async (tenant: string, config: Record<string, unknown>, credentials: Record<string, unknown> = CLIENT) => {
      await ensureTenant(db.knex, tenant);
      return createConnection(db.knex, { tenant, name: `upstream ${++n}`, provider: 'oneroster-api', config, credentials, tombstoneThreshold: 0.5 }, keyRing);
    };
    /** Runs `body` with the connector on virtual time (backoff and Retry-After waits take no real time). */
    const onVirtualTime = async <T>(body: (clock: FakeClock) => Promise<T>): Promise<T> => {
      const clock = new FakeClock(Date.now());
      registerConnector(createOneRosterApiConnector({ clock }));
      try {
        return await body(clock);
      } finally {
        registerConnector(oneRosterApiConnector);
      }
    };

    before(async () => {
      registerShippedConnectors();
      db = await engine.open();
    });
    after(async () => {
      for (const s of sims) await s.close();
      await db?.close();
    });

    test('(a) a 10,000-user district (1.1, OAuth 2, Link paging): test connection, a full run brings exactly the upstream records, a second run moves nothing', async () => {
      const sim = await simulate('large', { dialect: '1.1', auth: OAUTH2, paging: 'link' });
      assert.ok(sim.records('users').length >= 10_000, `${sim.records('users').length} users upstream`);
      const conn = await connect('t-large', { baseUrl: sim.rootUrl, auth: 'oauth2' });

      const tested = await testConnection(deps(), conn.id);
      assert.equal(tested.connection.status, 'success', JSON.stringify(tested.probes));
      assert.deepEqual(tested.probes.map((p) => p.entity).sort(), [...APPLY_ORDER].sort());
      assert.match(tested.probes.find((p) => p.entity === 'users')!.message, new RegExp(`${sim.records('users').length} records.*OneRoster 1\\.1 at /ims/oneroster/v1p1`));

      const first = await runSync(deps(), conn.id);
      assert.equal(first.outcome, 'success', JSON.stringify(first.entities.filter((e) => e.state !== 'complete' || e.errors.length)));
      for (const e of APPLY_ORDER) assert.equal(entityReport(first, e).created, sim.records(e).length, `${e} created`);
      assert.equal(sum(first, 'skipped'), 0);
      await assertMatchesUpstream(db, 't-large', sim, 97);
      const api = await apiReader(db);
      try {
        for (const e of APPLY_ORDER) {
          assert.deepEqual(await api.ids('t-large', e), sim.records(e).filter((r) => r.status === 'active').map((r) => r.sourcedId).sort(), `${e}: the API serves exactly the upstream records`);
        }
      } finally {
        await api.close();
      }
      const userPages = sim.collectionRequests('users').filter((r) => r.status === 200 && r.url.searchParams.get('limit') === '1000');
      assert.equal(userPages.length, Math.ceil(sim.records('users').length / 1000), 'users read in pages of 1000 following Link');
      assert.equal(sim.issuedTokens.length, 2, 'one token for the test, one for the run');

      const before = await snapshot(db, 't-large', 'users');
      const second = await runSync(deps(), conn.id);
      assert.equal(second.outcome, 'success');
      assert.deepEqual([sum(second, 'created'), sum(second, 'updated'), sum(second, 'tombstoned')], [0, 0, 0]);
      assert.deepEqual(await snapshot(db, 't-large', 'users'), before, 'no dateLastModified moved');
    });

    test('(b) an upstream change moves exactly the changed records; a deletion becomes a tombstone through a delta run', async () => {
      const sim = await simulate('small', { dialect: '1.1', auth: OAUTH2, paging: 'total' });
      const conn = await connect('t-delta', { baseUrl: sim.baseUrl, version: '1.1', auth: 'oauth2', pageSize: 40 });
      const first = await runSync(deps(), conn.id);
      assert.equal(first.outcome, 'success', JSON.stringify(first));
      await assertMatchesUpstream(db, 't-delta', sim);

      const [changed, deleted] = sim.records('users').filter((u) => u.data.roles[0].role === 'student').map((u) => u.sourcedId);
      const before = await snapshot(db, 't-delta', 'users');
      sim.update('users', changed, (d) => (d.givenName = 'Renamed'));
      const second = await runSync(deps(), conn.id);
      assert.equal(second.outcome, 'success');
      assert.deepEqual([entityReport(second, 'users').updated, sum(second, 'updated'), sum(second, 'created'), sum(second, 'tombstoned')], [1, 1, 0, 0]);
      const afterChange = await snapshot(db, 't-delta', 'users');
      assert.deepEqual(Object.keys(afterChange).filter((k) => afterChange[k] !== before[k]), [changed]);
      await assertMatchesUpstream(db, 't-delta', sim);

      sim.markDeleted('users', deleted);
      // 1.1 administrators map to 1.2 roles by org type: a delta (whose orgs are only the changed ones) must still know every org's type.
      const admins = ['districtAdministrator', 'siteAdministrator'].map((role) => sim.records('users').find((u) => u.data.roles[0].role === role)!.sourcedId);
      for (const a of admins) sim.update('users', a, (d) => (d.familyName = `${d.familyName}-Renamed`));
      const seen = sim.requests.length;
      const delta = await runSync(deps(), conn.id, { kind: 'delta' });
      assert.equal(delta.kind, 'delta');
      assert.equal(delta.outcome, 'success', JSON.stringify(delta));
      const asked = sim.requests.slice(seen).filter((r) => r.entity && r.entity !== 'token');
      const filtered = asked.filter((r) => r.url.searchParams.has('filter'));
      assert.deepEqual([...new Set(filtered.map((r) => r.entity))].sort(), ['academicSessions', 'classes', 'courses', 'demographics', 'enrollments', 'orgs', 'users']);
      for (const r of filtered) {
        const m = /^dateLastModified>'(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)'$/.exec(r.url.searchParams.get('filter')!);
        assert.ok(m, `delta filter ${r.url.searchParams.get('filter')}`);
        assert.ok(Date.parse(m[1]) <= new Date(second.startedAt).getTime(), 'asks from before the last successful run');
      }
      // Unfiltered: only the org types the administrators' roles need (a delta's orgs are only the changed ones).
      assert.deepEqual([...new Set(asked.filter((r) => !r.url.searchParams.has('filter')).map((r) => r.entity))], ['orgs']);
      const users = entityReport(delta, 'users');
      assert.deepEqual([users.tombstoned, users.updated], [1, admins.length]);
      assert.ok(users.fetched <= 2 + admins.length, `the delta brought only changed users (${users.fetched})`);
      assert.equal(sum(delta, 'tombstoned'), 1, 'a delta never sweeps');
      const afterDelete = await snapshot(db, 't-delta', 'users');
      assert.deepEqual(Object.keys(afterDelete).filter((k) => afterDelete[k] !== afterChange[k]).sort(), [deleted, ...admins].sort());
      assert.ok(afterDelete[deleted].startsWith('tobedeleted'));
      await assertMatchesUpstream(db, 't-delta', sim);
      const api = await apiReader(db);
      try {
        const served = await api.records('t-delta', 'users', `dateLastModified>'${delta.startedAt}'`);
        assert.deepEqual(served.filter((u) => u.status === 'tobedeleted').map((u) => u.sourcedId), [deleted], 'the deletion is visible in the API\'s delta');
      } finally {
        await api.close();
      }
    });

    test('(c1) 429 with Retry-After and a 5xx burst: the run completes after retries', () =>
      onVirtualTime(async (clock) => {
        const sim = await simulate('small', { dialect: '1.1', auth: OAUTH2 });
        const conn = await connect('t-retry', { baseUrl: sim.rootUrl, auth: 'oauth2', pageSize: 50 });
        sim.fault('users', { fault: { kind: 'rate-limit', retryAfter: 7 }, times: 1, when: (r) => r.url.searchParams.get('offset') === '50' });
        sim.fault('enrollments', { fault: { kind: 'status', status: 503 }, times: 2 });
        sim.fault('classes', { fault: { kind: 'status', status: 502, text: '<html><title>Bad Gateway</title></html>' }, times: 1 });
        const run = await runSync(deps(), conn.id);
        assert.equal(run.outcome, 'success', JSON.stringify(run));
        assert.ok(clock.sleeps.includes(7000), `waited the 7 s Retry-After asked (${clock.sleeps})`);
        assert.deepEqual(sim.collectionRequests('enrollments').slice(0, 3).map((r) => r.status), [503, 503, 200]);
        assert.equal(sim.collectionRequests('users').filter((r) => r.url.searchParams.get('offset') === '50').length, 2);
        await assertMatchesUpstream(db, 't-retry', sim);
      }));

    test('(c2) a page in the middle that keeps failing: users failed, run partial with an actionable message, nothing stored lost', () =>
      onVirtualTime(async () => {
        const sim = await simulate('small', { dialect: '1.1', auth: OAUTH2 });
        const conn = await connect('t-fail', { baseUrl: sim.rootUrl, auth: 'oauth2', pageSize: 50 });
        assert.equal((await runSync(deps(), conn.id)).outcome, 'success');
        const before = await snapshot(db, 't-fail', 'users');
        const cls = sim.records('classes')[3].sourcedId;
        sim.update('classes', cls, (d) => (d.title = 'Renamed class'));
        sim.fault('users', { fault: { kind: 'status', status: 503 }, when: (r) => r.url.searchParams.get('offset') === '100' });
        const seen = sim.requests.length;
        const run = await runSync(deps(), conn.id);
        assert.equal(run.outcome, 'partial', JSON.stringify(run.entities));
        const users = entityReport(run, 'users');
        assert.equal(users.state, 'failed');
        assert.match(users.errors.join('\n'), /^users: 503 from the OneRoster server: the server failed after 3 attempts \(a problem on the OneRoster server's side: try again later/m);
        assert.deepEqual(await snapshot(db, 't-fail', 'users'), before, 'no stored user lost or tombstoned');
        assert.equal(entityReport(run, 'classes').updated, 1, 'the other entities still apply');
        assert.deepEqual(sim.requests.slice(seen).filter((r) => r.entity === 'users' && r.url.searchParams.get('offset') === '100').map((r) => r.status), [503, 503, 503]);
      }));

    test('(c3) truncated JSON and a body cut short are retried', () =>
      onVirtualTime(async () => {
        const sim = await simulate('small', { dialect: '1.1', auth: OAUTH2 });
        const conn = await connect('t-broken', { baseUrl: sim.rootUrl, auth: 'oauth2', pageSize: 50 });
        sim.fault('users', { fault: { kind: 'truncated-json' }, times: 1, when: (r) => r.url.searchParams.get('offset') === '50' });
        sim.fault('enrollments', { fault: { kind: 'truncate' }, times: 1 });
        const run = await runSync(deps(), conn.id);
        assert.equal(run.outcome, 'success', JSON.stringify(run));
        assert.equal(sim.collectionRequests('users').filter((r) => r.url.searchParams.get('offset') === '50').length, 2, 'the truncated page was asked again');
        assert.deepEqual(sim.collectionRequests('enrollments').slice(0, 2).map((r) => r.url.searchParams.get('offset')), ['0', '0'], 'the body cut short was asked again');
        await assertMatchesUpstream(db, 't-broken', sim);
      }));

    test('(c4) a token that expires mid-run is refreshed once, for every pull', async () => {
      const sim = await simulate('small', { dialect: '1.1', auth: OAUTH2 });
      const conn = await connect('t-expiry', { baseUrl: sim.rootUrl, auth: 'oauth2', pageSize: 50 });
      sim.expireTokensOn((r) => r.entity === 'classes' && r.url.searchParams.get('offset') === '50');
      const run = await runSync(deps(), conn.id);
      assert.equal(run.outcome, 'success', JSON.stringify(run));
      const classes = sim.collectionRequests('classes').filter((r) => r.url.searchParams.get('offset') === '50');
      assert.deepEqual(classes.map((r) => r.status), [401, 200], 'refused once with the expired token, then served with a new one');
      assert.equal(sim.issuedTokens.length, 2, 'one new token, though other pulls were refused at the same time');
      await assertMatchesUpstream(db, 't-expiry', sim);
    });

    test('(d) OAuth 1.0a, HMAC-SHA1 and HMAC-SHA256: every request and every retry signed afresh', () =>
      onVirtualTime(async () => {
        for (const method of ['HMAC-SHA1', 'HMAC-SHA256'] as const) {
          const sim = await simulate('small', { dialect: '1.1', auth: OAUTH1 });
          sim.fault('users', { fault: { kind: 'status', status: 500 }, times: 1 });
          const tenant = `t-oauth1-${method.toLowerCase()}`;
          const conn = await connect(tenant, { baseUrl: sim.baseUrl, auth: 'oauth1', oauth1Method: method });
          assert.equal((await testConnection(deps(), conn.id)).connection.status, 'success');
          const run = await runSync(deps(), conn.id, { kind: 'delta' }); // no earlier run: a full one
          assert.equal(run.kind, 'full');
          assert.equal(run.outcome, 'success', JSON.stringify(run));
          assert.deepEqual(sim.oauth1.rejected, []);
          assert.ok(sim.oauth1.methods.length > 10 && sim.oauth1.methods.every((m) => m === method), method);
          assert.equal(new Set(sim.oauth1.nonces).size, sim.oauth1.nonces.length, 'no nonce used twice (the retry too)');
          await assertMatchesUpstream(db, tenant, sim);
        }
      }));

    test('(e) version auto-detection: a 1.2-only server; an Infinite Campus prefix with appName, remembered', async () => {
      const v12 = await simulate('small', { dialect: '1.2', auth: OAUTH2, paging: 'total' });
      const c12 = await connect('t-v12', { baseUrl: `${v12.rootUrl}/`, auth: 'oauth2' });
      const run12 = await runSync(deps(), c12.id);
      assert.equal(run12.outcome, 'success', JSON.stringify(run12));
      await assertMatchesUpstream(db, 't-v12', v12);
      assert.ok(v12.requests.some((r) => r.path === '/ims/oneroster/rostering/v1p2/users'));

      const app = 'springfield-sync';
      const ic = await simulate('small', {
        dialect: '1.1', prefix: `/campus/api/oneroster/v1p1/${app}`, paging: 'none',
        auth: { ...(OAUTH2 as Extract<SimAuth, { kind: 'oauth2' }>), tokenPath: '/campus/oauth2/token', appName: app },
      });
      const noApp = await connect('t-ic', { baseUrl: ic.rootUrl, auth: 'oauth2', tokenUrl: ic.tokenUrl });
      const refused = await testConnection(deps(), noApp.id);
      assert.equal(refused.connection.status, 'error');
      assert.match(refused.connection.lastMessage ?? '', /no Campus application is named \(set tokenParams \{"appName"/);

      const conn = await connect('t-ic', { baseUrl: ic.rootUrl, auth: 'oauth2', tokenUrl: ic.tokenUrl, tokenParams: { appName: app } });
      const tested = await testConnection(deps(), conn.id);
      assert.equal(tested.connection.status, 'success', JSON.stringify(tested.probes));
      const probed = ic.requests.filter((r) => r.path.endsWith('/orgs')).map((r) => `${r.path.replace(ic.prefix, '')} ${r.status}`);
      assert.deepEqual(probed.slice(0, 3), ['/ims/oneroster/rostering/v1p2/orgs 404', '/ims/oneroster/v1p2/orgs 404', '/ims/oneroster/v1p1/orgs 200']);
      const seen = ic.requests.length;
      const run = await runSync(deps(), conn.id);
      assert.equal(run.outcome, 'success', JSON.stringify(run));
      assert.ok(ic.requests.slice(seen).every((r) => !r.path.includes('v1p2')), 'the version found is remembered: no probing again');
      await assertMatchesUpstream(db, 't-ic', ic);
    });

    test('(f) OneRoster 1.0 flat arrays (OAuth 1.0a, /terms, no paging headers, a server capping limit, no delta filter)', async () => {
      const sim = await simulate('small', { dialect: '1.0', auth: OAUTH1, paging: 'none', maxLimit: 40, filters: false });
      const wire = sim.wire('users', sim.records('users')[0]);
      assert.ok(Array.isArray(wire.orgs) && typeof (wire.orgs as unknown[])[0] === 'string', '1.0 users carry orgs as plain ids');
      assert.ok('classSourcedId' in sim.wire('enrollments', sim.records('enrollments')[0]));
      const conn = await connect('t-v10', { baseUrl: sim.rootUrl, auth: 'oauth1', oauth1Method: 'HMAC-SHA1', pageSize: 100 });
      const run = await runSync(deps(), conn.id);
      assert.equal(run.outcome, 'success', JSON.stringify(run));
      assert.match(entityReport(run, 'academicSessions').notes?.join('\n') ?? '', /read from \/terms/);
      await assertMatchesUpstream(db, 't-v10', sim);

      // No delta filter on this server: a delta reads everything (nothing moves) and still sees 1.0 `inactive` as a deletion.
      const before = await snapshot(db, 't-v10', 'enrollments');
      const gone = sim.records('enrollments')[7].sourcedId;
      sim.markDeleted('enrollments', gone);
      assert.equal(sim.wire('enrollments', sim.record('enrollments', gone)).status, 'inactive');
      const delta = await runSync(deps(), conn.id, { kind: 'delta' });
      assert.equal(delta.kind, 'delta');
      assert.equal(delta.outcome, 'success', JSON.stringify(delta));
      assert.match(entityReport(delta, 'users').notes?.join('\n') ?? '', /refused the delta filter dateLastModified>'.*' \(400 invalid_filter_field\): every record was read instead/);
      assert.deepEqual([sum(delta, 'created'), sum(delta, 'updated'), sum(delta, 'tombstoned')], [0, 0, 1]);
      const after = await snapshot(db, 't-v10', 'enrollments');
      assert.deepEqual(Object.keys(after).filter((k) => after[k] !== before[k]), [gone]);
      await assertMatchesUpstream(db, 't-v10', sim);
    });

    test('test connection names what is wrong: the secret, a missing scope, the base URL', async () => {
      const sim = await simulate('small', { dialect: '1.1', auth: OAUTH2, forbidden: ['demographics'] });
      const wrong = await connect('t-probe', { baseUrl: sim.rootUrl, auth: 'oauth2' }, { ...CLIENT, clientSecret: 'not-the-secret' });
      const refused = await testConnection(deps(), wrong.id);
      assert.equal(refused.connection.status, 'error');
      assert.ok(refused.probes.every((p) => !p.ok && /401 invalid_client from the token URL .*\/oauth\/token: the client id or secret was refused/.test(p.message)), JSON.stringify(refused.probes));
      assert.ok(!JSON.stringify(refused).includes('not-the-secret'));

      const scoped = await connect('t-probe', { baseUrl: sim.rootUrl, auth: 'oauth2' });
      const partial = await testConnection(deps(), scoped.id);
      assert.equal(partial.connection.status, 'error');
      const demo = partial.probes.find((p) => p.entity === 'demographics')!;
      assert.equal(demo.ok, false);
      assert.match(demo.message, /^403 from the OneRoster server: the client lacks a scope for demographics/);
      assert.ok(partial.probes.filter((p) => p.entity !== 'demographics').every((p) => p.ok));

      const lost = await connect('t-probe', { baseUrl: `${sim.url}/not-oneroster`, auth: 'oauth2', tokenUrl: sim.tokenUrl });
      const notFound = await testConnection(deps(), lost.id);
      assert.match(notFound.probes[0].message, /^no OneRoster API answered under http:\/\/127\.0\.0\.1:\d+\/not-oneroster \(tried \/ims\/oneroster\/rostering\/v1p2 \(404\), .*\): check the base URL/);
    });

    if (engine.name === 'postgres') {
      test('a sync killed with SIGKILL mid-pull: the next run closes it as failed and the store matches upstream exactly', async () => {
        const sim = await simulate('small', { dialect: '1.1', auth: OAUTH2, delayMs: 60 });
        const conn = await connect('t-kill', { baseUrl: sim.rootUrl, auth: 'oauth2', pageSize: 25 });
        const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db.url!, conn.id], {
          stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROLLCALL_SECRET_KEY: secretKey },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
        let runId: number | undefined;
        for (let i = 0; i < 600 && runId === undefined; i++) {
          await sleep(100);
          const row = (await db.knex.raw(
            `select r.id, count(s.*)::int as staged from sync_runs r left join sync_stage s on s.run_id = r.id
             where r.connection_id = ? and r.status = 'running' group by r.id`, [conn.id],
          )).rows[0];
          if (row && row.staged >= 50) runId = Number(row.id);
          if (child.exitCode !== null) break;
        }
        assert.ok(runId !== undefined, `the child staged records before being killed: ${out}\n${err}`);
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL', `killed mid-pull, not finished: ${out}`);
        assert.doesNotMatch(out, /done/);

        // The killed run looks alive until its heartbeat is stale; age it as time would.
        await db.knex.raw(`update sync_runs set heartbeat_at = now() - interval '1 hour' where id = ?`, [runId]);
        const run = await runSync(deps(), conn.id);
        assert.equal(run.outcome, 'success', JSON.stringify(run));
        const runs = (await db.knex.raw(`select id, status from sync_runs where connection_id = ? order by id`, [conn.id])).rows;
        assert.deepEqual(runs.map((r: { status: string }) => r.status), ['failed', 'success']);
        assert.equal((await db.knex.raw('select count(*)::int as n from sync_stage where run_id = ?', [runId])).rows[0].n, 0, 'its staged rows are gone');
        await assertMatchesUpstream(db, 't-kill', sim);
      });
    }
  });
}
