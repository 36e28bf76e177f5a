import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/store/db.js';
import { ensureTenant, lockTenantForWrite } from '../../src/store/tenants.js';
import { engines } from '../helpers/engines.js';

for (const engine of engines()) {
  describe(`tenant write lock (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
    });
    after(async () => {
      await db.close();
    });

    // Entity rows have no foreign key to tenants: this lock is what keeps a write from landing under a tenant that does not exist.
    test('refuses a tenant that does not exist, and writes nothing', async () => {
      await assert.rejects(
        db.knex.transaction(async (trx) => {
          await lockTenantForWrite(trx, 'no-such-tenant');
          await trx.raw(`insert into orgs (tenant_id, sourced_id, status, date_last_modified, content_hash, source, data, type) values ('no-such-tenant', 'o1', 'active', now(), 'h', 'test', '{}', 'school')`);
        }),
        /tenant no-such-tenant does not exist/,
      );
      assert.equal((await db.knex.raw(`select count(*)::int as n from orgs where tenant_id = 'no-such-tenant'`)).rows[0].n, 0);
    });

    test('gives an existing tenant the clock of its write and bumps its data version', async () => {
      await ensureTenant(db.knex, 'locked');
      const before = (await db.knex.raw(`select data_version from tenants where id = 'locked'`)).rows[0].data_version;
      const ts = await db.knex.transaction((trx) => lockTenantForWrite(trx, 'locked'));
      assert.ok(ts instanceof Date && !Number.isNaN(ts.getTime()));
      assert.equal((await db.knex.raw(`select data_version from tenants where id = 'locked'`)).rows[0].data_version, before + 1);
    });
  });
}
