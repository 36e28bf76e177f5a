import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { engines } from '../helpers/engines.js';

const MIGRATION_FILES = readdirSync(new URL('../../migrations/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

for (const engine of engines()) {
  describe(`migrations (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open(); // migrated
    });
    after(async () => {
      await db.close();
    });

    test('a fresh database has every migration in migrations/ applied, in order', async () => {
      const applied = (await db.knex.raw('select name from knex_migrations order by id')).rows.map((r: { name: string }) => r.name);
      assert.deepEqual(applied, MIGRATION_FILES);
    });

    test('migrating again applies nothing', async () => {
      assert.deepEqual(await migrate(db), []);
    });

    // ADR 0001: entity rows carry no foreign key to tenants; lockTenantForWrite guards writes instead.
    test('entity tables have no foreign key to tenants', async () => {
      const res = await db.knex.raw(
        `select conrelid::regclass::text as tbl from pg_constraint where contype = 'f' and confrelid = 'tenants'::regclass order by 1`,
      );
      const entityTables = ['academic_sessions', 'classes', 'courses', 'demographics', 'enrollments', 'orgs', 'users'];
      assert.deepEqual(res.rows.map((r: { tbl: string }) => r.tbl).filter((t: string) => entityTables.includes(t)), []);
    });
  });
}
