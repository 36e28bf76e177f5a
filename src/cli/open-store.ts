import type { Config } from '../config.js';
import { openDatabase, type Database } from '../store/db.js';
import { migrate } from '../store/migrate.js';

/** Opens the configured database (Postgres with DATABASE_URL, else the embedded one) and migrates it. */
export async function openStore(config: Config, command: string): Promise<Database> {
  const db = config.databaseUrl ? await openDatabase({ databaseUrl: config.databaseUrl }) : await openDatabase({ dataDir: config.dataDir, command });
  try {
    await migrate(db);
    return db;
  } catch (e) {
    await db.close();
    throw e;
  }
}

export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `embedded PGlite in ${config.dataDir}`;
  const u = new URL(config.databaseUrl);
  return `Postgres at ${u.hostname}:${u.port || 5432}${u.pathname}`; // never the password
}
