import Knex, { type Knex as KnexT } from 'knex';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { acquireDataDir } from './datadir-lock.js';

// Postgres returns int8/numeric as strings by default; counts in Rollcall fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export type Engine = 'postgres' | 'pglite';

/**
 * Every session reads timestamps as ISO text (the API renders dateLastModified from it in SQL,
 * src/api/render), whatever DateStyle the server is configured with; and runs without JIT
 * compilation, which the long rendering expressions would otherwise trigger by their estimated
 * cost (a users page took 716 ms with it, 90 without).
 */
const SESSION_SETUP = `set DateStyle = 'ISO, MDY'; set jit = off`;

export type Database = {
  knex: KnexT;
  engine: Engine;
  /** Announce the URL this process serves, so a refused CLI command can name it. */
  announce(url: string): void;
  /**
   * Plain SQL with $1-style parameters (for libraries such as pg-boss), on a connection of the
   * same pool: on PGlite it waits while a transaction holds the one connection.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  close(): Promise<void>;
};

function executor(knex: KnexT, engine: Engine): Database['executeSql'] {
  return async (text, values) => {
    const conn = await knex.client.acquireConnection();
    try {
      if (engine === 'pglite' && !values?.length) {
        const results = await (conn as PGlite).exec(text); // several statements are allowed without parameters
        return { rows: results.at(-1)?.rows ?? [] };
      }
      const res = await conn.query(text, values);
      return { rows: res.rows };
    } finally {
      await knex.client.releaseConnection(conn);
    }
  };
}

export type DatabaseOptions =
  | { databaseUrl: string; poolMax?: number }
  /** `dataDir` undefined: an in-memory PGlite database (tests). */
  | { dataDir?: string; command: string };

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if ('databaseUrl' in opts) {
    const knex = Knex({
      client: 'pg',
      connection: opts.databaseUrl,
      pool: { min: 0, max: opts.poolMax ?? 10, afterCreate: (conn: pg.Client, done: (err: Error | undefined, conn: pg.Client) => void) => conn.query(SESSION_SETUP, (err) => done(err ?? undefined, conn)) },
    });
    await knex.raw('select 1');
    return { knex, engine: 'postgres', announce: () => {}, executeSql: executor(knex, 'postgres'), close: () => knex.destroy() };
  }
  const lock = opts.dataDir ? acquireDataDir(opts.dataDir, opts.command) : undefined;
  try {
    // Loaded only for the embedded database: PGlite's WebAssembly adds about 40 MB to a process
    // that serves Postgres and never uses it.
    const [{ PGlite }, { default: ClientPgLite }] = await Promise.all([import('@electric-sql/pglite'), import('knex-pglite')]);
    const pglite = await PGlite.create(opts.dataDir);
    await pglite.exec(SESSION_SETUP);
    const knex = Knex({ client: ClientPgLite as unknown as typeof Knex.Client, connection: () => ({ pglite }) } as KnexT.Config);
    return {
      knex,
      engine: 'pglite',
      announce: (url) => lock?.setUrl(url),
      executeSql: executor(knex, 'pglite'),
      close: async () => {
        await knex.destroy();
        lock?.release();
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}
