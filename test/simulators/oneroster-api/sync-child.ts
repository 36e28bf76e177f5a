// Run as a child process by the kill -9 test: one sync run of a connection, progress on stdout.
import pino from 'pino';
import { KeyRing } from '../../../src/crypto/key-ring.js';
import { registerShippedConnectors } from '../../../src/ingest/connectors/all.js';
import { runSync } from '../../../src/ingest/sync/run-sync.js';
import { openDatabase } from '../../../src/store/db.js';

const [databaseUrl, connectionId] = process.argv.slice(2);
registerShippedConnectors();
const db = await openDatabase({ databaseUrl });
const keyRing = KeyRing.fromEnvValue(process.env.ROLLCALL_SECRET_KEY!);
const report = await runSync({ knex: db.knex, keyRing, log: pino({ level: 'silent' }) }, connectionId, {
  onProgress: (p) => process.stdout.write(`${JSON.stringify(p)}\n`),
});
process.stdout.write(`done ${report.outcome}\n`);
await db.close();
