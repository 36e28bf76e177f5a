import type { Knex } from 'knex';
import type { Config } from '../config.js';
import { openStore } from './open-store.js';

/** Opens the store for one command, runs it, and closes the store again. */
export async function withStore<T>(config: Config, command: string, run: (knex: Knex) => Promise<T>): Promise<T> {
  const db = await openStore(config, command);
  try {
    return await run(db.knex);
  } finally {
    await db.close();
  }
}
