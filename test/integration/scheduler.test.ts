import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { createConnection } from '../../src/ingest/connections/connections.js';
import { registerConnector } from '../../src/ingest/connectors/registry.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { SyncScheduler } from '../../src/ingest/scheduler/scheduler.js';
import type { Database } from '../../src/store/db.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';
import { memoryConnector } from '../helpers/memory-connector.js';

const keyRing = KeyRing.fromEnvValue(KeyRing.generateKey());

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

for (const engine of engines()) {
  describe(`sync scheduler on pg-boss (${engine.name})`, () => {
    let db: Database;
    let scheduler: SyncScheduler;
    before(async () => {
      db = await engine.open();
      await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 't' });
      const records = Object.fromEntries(
        await Promise.all(
          (['orgs', 'academicSessions'] as const).map(async (e) => [
            e,
            (await db.knex.raw(`select sourced_id, data from ${e === 'orgs' ? 'orgs' : 'academic_sessions'} where tenant_id = 't'`)).rows.map((r: any) => ({
              sourcedId: r.sourced_id, status: 'active', data: r.data,
            })),
          ]),
        ),
      );
      registerConnector({ ...memoryConnector('memory-sched', { records, sinceSeen: [] }), entities: ['orgs', 'academicSessions'] });
      await db.knex.raw(`insert into tenants (id, name) values ('s', 's')`);
    });
    after(async () => {
      await scheduler?.stop();
      await db?.close();
    });

    test('a run on demand happens once; schedules follow the connections', async () => {
      const conn = await createConnection(db.knex, { tenant: 's', name: 'scheduled', provider: 'memory-sched', schedule: '0 5,17 * * *' }, keyRing);
      scheduler = await SyncScheduler.start({ db, keyRing, log: pino({ level: 'silent' }) }, { reconcileEveryMs: 3_600_000 });
      assert.deepEqual(await scheduler.schedules(), [{ name: `sync.${conn.id}`, cron: '0 5,17 * * *' }]);
      assert.equal(await scheduler.runNow(conn.id), true);
      assert.equal(await scheduler.runNow(conn.id), false, 'a second request while one is queued is not queued again');
      const run = await until('the run', async () => {
        const r = (await db.knex.raw(`select status, report from sync_runs where connection_id = ? and status <> 'running'`, [conn.id])).rows[0];
        return r;
      });
      assert.equal(run.status, 'success', JSON.stringify(run.report));
      assert.equal((await db.knex.raw(`select count(*)::int as n from orgs where tenant_id = 's'`)).rows[0].n, 4);
      await db.knex.raw(`update connections set schedule = null where id = ?`, [conn.id]);
      await scheduler.reconcile();
      assert.deepEqual(await scheduler.schedules(), []);
      assert.equal((await db.knex.raw(`select count(*)::int as n from sync_runs where connection_id = ?`, [conn.id])).rows[0].n, 1);
    });
  });
}
