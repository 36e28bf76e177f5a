import type { Config } from '../config.js';
import { openDatabase } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { describeDatabase } from './open-store.js';

export async function runMigrate(config: Config): Promise<void> {
  const db = config.databaseUrl ? await openDatabase({ databaseUrl: config.databaseUrl }) : await openDatabase({ dataDir: config.dataDir, command: 'migrate' });
  try {
    const applied = await migrate(db);
    process.stdout.write(
      applied.length ? `Applied ${applied.length} migration(s) to ${describeDatabase(config)}:\n${applied.map((m) => `  ${m}`).join('\n')}\n` : `${describeDatabase(config)} is up to date.\n`,
    );
  } finally {
    await db.close();
  }
}
