import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';

export type EngineUnderTest = { name: string; open(): Promise<Database & { url?: string }> };

/**
 * The engines every integration suite runs on: embedded PGlite always, and a real Postgres when
 * TEST_DATABASE_URL is set. Each open() gives a fresh, migrated database of its own.
 */
export function engines(): EngineUnderTest[] {
  const list: EngineUnderTest[] = [
    {
      name: 'pglite',
      open: async () => {
        const db = await openDatabase({ command: 'test' });
        await migrate(db);
        return db;
      },
    },
  ];
  const base = process.env.TEST_DATABASE_URL;
  if (base) list.push({ name: 'postgres', open: () => freshPostgres(base) });
  return list;
}

/** Creates a throwaway database on the TEST_DATABASE_URL server, dropped again on close(). */
async function freshPostgres(base: string): Promise<Database & { url: string }> {
  const name = `rollcall_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolMax: 4 });
  await migrate(db);
  return {
    ...db,
    url: url.toString(),
    close: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
