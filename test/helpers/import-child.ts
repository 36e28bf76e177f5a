// Run as a child process by the kill -9 test: imports a package and reports progress on stdout.
import { importCsv } from '../../src/ingest/csv/import.js';
import { openDatabase } from '../../src/store/db.js';

const [target, location, tenant] = process.argv.slice(2);
const db = target.startsWith('postgres') ? await openDatabase({ databaseUrl: target }) : await openDatabase({ dataDir: target, command: 'import (test child)' });
await importCsv(db.knex, {
  location,
  tenant,
  onProgress: (file, rows) => process.stdout.write(`${file} ${rows}\n`),
});
process.stdout.write('done\n');
await db.close();
