import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createAdmin } from '../../src/auth/admins.js';
import { loadConfig } from '../../src/config.js';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { registerConnector } from '../../src/ingest/connectors/registry.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { SyncScheduler } from '../../src/ingest/scheduler/scheduler.js';
import { createLogger } from '../../src/log.js';
import type { Database } from '../../src/store/db.js';
import { ensureTenant } from '../../src/store/tenants.js';
import { createAdminApp, listen } from '../helpers/admin-app.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';
import { memoryConnector } from '../helpers/memory-connector.js';

const [engine] = engines(); // the routes over the engine are covered by the sync engine's suites on both

describe('admin API: connections, Test connection, runs', () => {
  let db: Database;
  let scheduler: SyncScheduler;
  let server: { url: string; close(): Promise<void> };
  let logs = '';
  const tokens: Record<string, string> = {};

  const call = async (method: string, path: string, bearer: string, json?: unknown) => {
    const res = await fetch(`${server.url}/admin/v1${path}`, {
      method, headers: { authorization: `Bearer ${bearer}`, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  before(async () => {
    db = await engine.open();
    await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'source' });
    const orgs = (await db.knex.raw(`select sourced_id, data from orgs where tenant_id = 'source'`)).rows.map((r: any) => ({ sourcedId: r.sourced_id, status: 'active', data: r.data }));
    registerConnector({ ...memoryConnector('memory-admin', { records: { orgs }, sinceSeen: [] }), entities: ['orgs'] });
    await ensureTenant(db.knex, 'district-a');
    await ensureTenant(db.knex, 'district-b');
    const keyRing = KeyRing.fromEnvValue(KeyRing.generateKey());
    const log = createLogger('debug', new Writable({ write: (c, _e, done) => ((logs += String(c)), done()) }));
    scheduler = await SyncScheduler.start({ db, keyRing, log }, { reconcileEveryMs: 3_600_000 });
    server = await listen(createAdminApp({ db, config: loadConfig({}), log, keyRing, scheduler }));
    for (const tenant of ['district-a', 'district-b']) {
      const { admin, secret } = await createAdmin(db.knex, { name: tenant, tenant });
      const res = await fetch(`${server.url}/admin/v1/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.adminId, client_secret: secret }).toString(),
      });
      tokens[tenant] = ((await res.json()) as any).access_token;
    }
  });
  after(async () => {
    await server?.close();
    await scheduler?.stop();
    await db?.close();
  });

  test('create, test, run and read a connection; credentials never come back; another tenant sees nothing', async () => {
    const a = tokens['district-a']!;
    const created = await call('POST', '/tenants/district-a/connections', a, { name: 'SIS', provider: 'memory-admin', credentials: { token: 'very-secret-upstream-token' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.hasCredentials, true);
    assert.ok(!JSON.stringify(created.body).includes('very-secret-upstream-token'));
    const id = created.body.id as string;

    assert.equal((await call('POST', '/tenants/district-a/connections', a, { name: 'x', provider: 'nope' })).status, 400);
    const tested = await call('POST', `/tenants/district-a/connections/${id}/test`, a);
    assert.equal(tested.body.connection.status, 'success', JSON.stringify(tested.body));

    assert.equal((await call('POST', `/tenants/district-a/connections/${id}/runs`, a, { kind: 'full' })).status, 202);
    let runs: any[] = [];
    for (let i = 0; i < 120 && !runs.some((r) => r.status === 'success'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      runs = (await call('GET', `/tenants/district-a/connections/${id}/runs`, a)).body.runs;
    }
    assert.equal(runs[0]?.status, 'success', JSON.stringify(runs));
    assert.equal(runs[0].report.entities[0].created, 4);

    assert.equal((await call('GET', `/tenants/district-a/connections/${id}`, tokens['district-b']!)).status, 404);
    assert.equal((await call('GET', `/tenants/district-b/connections/${id}`, tokens['district-b']!)).status, 404);
    assert.deepEqual((await call('GET', '/tenants/district-b/connections', tokens['district-b']!)).body, { connections: [] });
    assert.ok(!logs.includes('very-secret-upstream-token'), 'credentials never reach the log');
  });
});
