import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import pino from 'pino';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { createConnection } from '../../src/ingest/connections/connections.js';
import { testConnection } from '../../src/ingest/connections/test-connection.js';
import { registerConnector } from '../../src/ingest/connectors/registry.js';
import type { PulledRecord } from '../../src/ingest/connectors/types.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { approveRun } from '../../src/ingest/sync/approve-run.js';
import { runSync } from '../../src/ingest/sync/run-sync.js';
import { APPLY_ORDER, ENTITIES, type EntityName } from '../../src/model/entities.js';
import type { Database } from '../../src/store/db.js';
import { ensureTenant } from '../../src/store/tenants.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';
import { memoryConnector, type MemoryUpstream } from '../helpers/memory-connector.js';

const log = pino({ level: 'silent' });
const keyRing = KeyRing.fromEnvValue(KeyRing.generateKey());

/** The fixture's canonical records, as an upstream would hand them over. */
async function fixtureRecords(db: Database): Promise<Record<EntityName, PulledRecord[]>> {
  await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'source-of-truth' });
  const out = {} as Record<EntityName, PulledRecord[]>;
  for (const e of APPLY_ORDER) {
    const rows = (await db.knex.raw(`select sourced_id, data from ${ENTITIES[e].table} where tenant_id = 'source-of-truth' order by sourced_id`)).rows;
    out[e] = rows.map((r: any) => ({ sourcedId: r.sourced_id, status: 'active', data: r.data }));
  }
  return out;
}

const snapshot = async (db: Database, tenant: string, table: string) =>
  Object.fromEntries(
    (await db.knex.raw(`select sourced_id, status, date_last_modified, source from ${table} where tenant_id = ? order by sourced_id`, [tenant])).rows.map(
      (r: any) => [r.sourced_id, `${r.status} ${new Date(r.date_last_modified).toISOString()} ${r.source}`],
    ),
  );

for (const engine of engines()) {
  describe(`sync engine (${engine.name})`, () => {
    let db: Database;
    let truth: Record<EntityName, PulledRecord[]>;
    let upstream: MemoryUpstream;
    let n = 0;
    const deps = () => ({ knex: db.knex, keyRing, log });
    const newConnection = async (tenant: string, extra: { priority?: number; tombstoneThreshold?: number } = {}) => {
      const provider = `memory-${++n}`;
      registerConnector(memoryConnector(provider, upstream));
      await ensureTenant(db.knex, tenant);
      return createConnection(db.knex, { tenant, name: 'test upstream', provider, credentials: { token: 'upstream-token-value' }, ...extra }, keyRing);
    };

    before(async () => {
      db = await engine.open();
      truth = await fixtureRecords(db);
    });
    beforeEach(() => {
      upstream = { records: structuredClone(truth), sinceSeen: [] };
    });
    after(async () => db?.close());

    test('a full run brings everything in; a second unchanged run moves nothing; a change moves exactly its record', async () => {
      const conn = await newConnection('t-full', { tombstoneThreshold: 0.5 });
      const first = await runSync(deps(), conn.id);
      assert.equal(first.outcome, 'success', JSON.stringify(first));
      const users = first.entities.find((e) => e.entity === 'users')!;
      assert.equal(users.created, truth.users.length);
      const before = await snapshot(db, 't-full', 'users');
      assert.ok(Object.values(before).every((v) => v.endsWith(conn.id)), 'records are owned by the connection');

      const second = await runSync(deps(), conn.id);
      assert.equal(second.outcome, 'success');
      assert.deepEqual(second.entities.map((e) => e.created + e.updated + e.tombstoned), second.entities.map(() => 0));
      assert.deepEqual(await snapshot(db, 't-full', 'users'), before, 'no dateLastModified moved');

      upstream.records.users!.find((u) => u.sourcedId === 'usr-s2')!.data.givenName = 'Benjamin';
      upstream.records.users = upstream.records.users!.filter((u) => u.sourcedId !== 'usr-ad');
      const third = await runSync(deps(), conn.id);
      const u3 = third.entities.find((e) => e.entity === 'users')!;
      assert.equal(third.outcome, 'success', JSON.stringify(third));
      assert.deepEqual([u3.updated, u3.tombstoned, u3.created], [1, 1, 0]);
      const after = await snapshot(db, 't-full', 'users');
      const moved = Object.keys(after).filter((k) => after[k] !== before[k]).sort();
      assert.deepEqual(moved, ['usr-ad', 'usr-s2']);
      assert.ok(after['usr-ad']!.startsWith('tobedeleted'));
    });

    test('a pull that fails midway applies and sweeps nothing of that entity; the others apply; the run is partial', async () => {
      const conn = await newConnection('t-fail');
      assert.equal((await runSync(deps(), conn.id)).outcome, 'success');
      const before = await snapshot(db, 't-fail', 'users');
      upstream.failAfter = { users: 2 }; // the second page of users fails: only 2 of 7 arrive
      upstream.records.classes!.find((c) => c.sourcedId === 'cls-1')!.data.title = 'Grade 5 Math - A (renamed)';
      const run = await runSync(deps(), conn.id);
      assert.equal(run.outcome, 'partial', JSON.stringify(run.entities.filter((e) => e.state !== 'complete')));
      const users = run.entities.find((e) => e.entity === 'users')!;
      assert.equal(users.state, 'failed');
      assert.match(users.errors.join('\n'), /page 2 of users failed after 3 attempts/);
      assert.deepEqual(await snapshot(db, 't-fail', 'users'), before, 'no stored user lost or tombstoned');
      assert.equal(run.entities.find((e) => e.entity === 'classes')!.updated, 1, 'other entities still apply');
    });

    test('a full run that would tombstone more than the threshold is held until approved', async () => {
      const conn = await newConnection('t-held', { tombstoneThreshold: 0.2 });
      await runSync(deps(), conn.id);
      upstream.records.users = upstream.records.users!.slice(0, 3); // 4 of 7 gone
      const held = await runSync(deps(), conn.id);
      assert.equal(held.outcome, 'held');
      const users = held.entities.find((e) => e.entity === 'users')!;
      assert.deepEqual(users.held, { wouldTombstone: 4, of: 7 });
      assert.equal((await db.knex.raw(`select count(*)::int as n from users where tenant_id = 't-held' and status = 'tobedeleted'`)).rows[0].n, 0);
      const approved = await approveRun(db.knex, conn.id, held.runId);
      assert.equal(approved.outcome, 'success', JSON.stringify(approved));
      assert.equal(approved.entities.find((e) => e.entity === 'users')!.tombstoned, 4);
      assert.equal((await db.knex.raw(`select count(*)::int as n from users where tenant_id = 't-held' and status = 'tobedeleted'`)).rows[0].n, 4);
    });

    test('two connections writing one record: the higher priority keeps it and the conflict is reported', async () => {
      const sis = await newConnection('t-prio', { priority: 10 });
      await runSync(deps(), sis.id);
      upstream = { records: structuredClone(truth), sinceSeen: [] };
      upstream.records.users!.find((u) => u.sourcedId === 'a1')!.data.givenName = 'Not Ava';
      const other = await newConnection('t-prio', { priority: 50 });
      const run = await runSync(deps(), other.id);
      const users = run.entities.find((e) => e.entity === 'users')!;
      assert.ok(users.skipped >= truth.users.length, `skipped ${users.skipped}`);
      assert.match(users.errors.join('\n'), new RegExp(`owned by connection ${sis.id}, which has priority`));
      const a1 = (await db.knex.raw(`select data->>'givenName' as g, source from users where tenant_id = 't-prio' and sourced_id = 'a1'`)).rows[0];
      assert.deepEqual(a1, { g: 'Ava', source: sis.id });
    });

    test('delta runs ask for changes since the last successful run; deletions arrive as tombstones', async () => {
      const conn = await newConnection('t-delta');
      const first = await runSync(deps(), conn.id);
      upstream.sinceSeen = [];
      // A delta's tombstone may carry no more than its identity.
      upstream.records = { users: [{ sourcedId: 'usr-s3', status: 'tobedeleted', data: {} }] };
      const delta = await runSync(deps(), conn.id, { kind: 'delta' });
      assert.equal(delta.kind, 'delta');
      assert.ok(upstream.sinceSeen.every((s) => s.since && s.since.getTime() <= new Date(first.startedAt).getTime()));
      assert.equal(delta.entities.find((e) => e.entity === 'users')!.tombstoned, 1);
      assert.equal(delta.entities.find((e) => e.entity === 'orgs')!.tombstoned, 0, 'a delta never sweeps');
      assert.equal((await db.knex.raw(`select status from users where tenant_id = 't-delta' and sourced_id = 'usr-s3'`)).rows[0].status, 'tobedeleted');
    });

    test('invalid records are skipped by name; the rest apply', async () => {
      const conn = await newConnection('t-invalid');
      upstream.records.users!.find((u) => u.sourcedId === 'usr-t1')!.data.roles = [];
      upstream.records.users!.find((u) => u.sourcedId === 'usr-t2')!.problem = 'the section has no term: assign one in the SIS';
      const run = await runSync(deps(), conn.id);
      const users = run.entities.find((e) => e.entity === 'users')!;
      assert.equal(users.created, truth.users.length - 2);
      assert.match(users.errors.join('\n'), /users\/usr-t1 skipped: roles: /);
      assert.match(users.errors.join('\n'), /users\/usr-t2 skipped: the section has no term/);
    });

    test('one run at a time; a run left by a killed process is closed by the next', async () => {
      const conn = await newConnection('t-once');
      await db.knex.raw(`insert into sync_runs (connection_id, tenant_id, kind, status) values (?, 't-once', 'full', 'running')`, [conn.id]);
      await assert.rejects(runSync(deps(), conn.id), /already in progress/);
      await db.knex.raw(`update sync_runs set heartbeat_at = now() - interval '1 hour' where connection_id = ?`, [conn.id]);
      assert.equal((await runSync(deps(), conn.id)).outcome, 'success');
      const statuses = (await db.knex.raw(`select status from sync_runs where connection_id = ? order by id`, [conn.id])).rows.map((r: any) => r.status);
      assert.deepEqual(statuses, ['failed', 'success']);
    });

    test('credentials are sealed at rest; test connection records its status', async () => {
      const conn = await newConnection('t-creds');
      const row = (await db.knex.raw('select credentials_sealed from connections where id = ?', [conn.id])).rows[0];
      assert.ok(row.credentials_sealed && !row.credentials_sealed.includes('upstream-token-value'));
      await assert.rejects(createConnection(db.knex, { tenant: 't-creds', name: 'x', provider: conn.provider }, undefined), /ROLLCALL_SECRET_KEY/);
      const tested = await testConnection(deps(), conn.id);
      assert.equal(tested.connection.status, 'success');
      assert.ok(tested.connection.lastTestedAt);
    });
  });
}
