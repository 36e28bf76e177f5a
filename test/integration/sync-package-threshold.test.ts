import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { createConnection } from '../../src/ingest/connections/connections.js';
import { csvDropConnector } from '../../src/ingest/connectors/csv-drop/connector.js';
import { registerConnector } from '../../src/ingest/connectors/registry.js';
import { approveRun } from '../../src/ingest/sync/approve-run.js';
import { runSync } from '../../src/ingest/sync/run-sync.js';
import type { Database } from '../../src/store/db.js';
import { ensureTenant } from '../../src/store/tenants.js';
import { fixturePackage } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

const keyRing = KeyRing.fromEnvValue(KeyRing.generateKey());
const tombstones = async (db: Database) => (await db.knex.raw(`select count(*)::int as n from users where tenant_id = 'drop' and status = 'tobedeleted'`)).rows[0].n;

for (const engine of engines()) {
  describe(`CSV package runs honour the safety threshold (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      registerConnector(csvDropConnector);
      await ensureTenant(db.knex, 'drop');
    });
    after(async () => db?.close());

    test('a bulk users.csv missing most users is held; deletions apply only when allowed', async () => {
      const folder = fixturePackage();
      const deps = { knex: db.knex, keyRing, log: pino({ level: 'silent' }) };
      const conn = await createConnection(db.knex, { tenant: 'drop', name: 'nightly drop', provider: 'oneroster-csv', config: { transport: 'folder', path: folder } }, keyRing);
      assert.equal((await runSync(deps, conn.id)).outcome, 'success');

      // A truncated export: the header and three users of seven (and no enrollments of the others).
      const users = fs.readFileSync(`${folder}/users.csv`, 'utf8').trim().split('\n');
      fs.writeFileSync(`${folder}/users.csv`, `${users.slice(0, 4).join('\n')}\n`);
      fs.writeFileSync(`${folder}/enrollments.csv`, fs.readFileSync(`${folder}/enrollments.csv`, 'utf8').split('\n').filter((l) => !/usr-(s3|t2|ad)|usr-g1/.test(l)).join('\n'));
      const held = await runSync(deps, conn.id);
      assert.equal(held.outcome, 'held', JSON.stringify(held.entities));
      const u = held.entities.find((e) => e.entity === 'users')!;
      assert.equal(u.state, 'held');
      assert.deepEqual(u.held, { wouldTombstone: 4, of: 7 });
      assert.equal(await tombstones(db), 0, 'nothing deleted');
      await assert.rejects(approveRun(db.knex, conn.id, held.runId), /--allow-deletions/);

      const allowed = await runSync(deps, conn.id, { allowDeletions: true });
      assert.equal(allowed.entities.find((e) => e.entity === 'users')!.tombstoned, 4);
      assert.equal(await tombstones(db), 4);
    });
  });
}
