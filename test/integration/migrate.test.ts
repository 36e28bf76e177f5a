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

    // No plan reads statistics of the whole record; ANALYZE skips it and still covers the columns plans use.
    test('ANALYZE gathers statistics on an entity table but not on its record column', async () => {
      await db.knex.raw(`insert into tenants (id, name) values ('stats', 'Stats') on conflict do nothing`);
      await db.knex.raw(
        `insert into orgs (tenant_id, sourced_id, status, date_last_modified, content_hash, source, data, type)
         select 'stats', 'org-' || i, 'active', now(), md5(i::text), 'csv', jsonb_build_object('sourcedId', 'org-' || i, 'name', 'School ' || i), 'school'
         from generate_series(1, 50) i`,
      );
      await db.knex.raw('analyze orgs');
      const res = await db.knex.raw(`select attname from pg_stats where schemaname = current_schema() and tablename = 'orgs' order by attname`);
      const columns = res.rows.map((r: { attname: string }) => r.attname);
      assert.ok(columns.includes('sourced_id') && columns.includes('type'), `statistics for ${columns.join(', ')}`);
      assert.ok(!columns.includes('data'), 'no statistics on data');
    });
  });
}
