import type { Server } from 'node:http';
import { createApp } from '../api/app.js';
import { ensureBootstrapAdmin } from '../auth/admins.js';
import { createClient } from '../auth/clients.js';
import type { Config } from '../config.js';
import { loadKeyRing } from '../crypto/key-ring.js';
import { registerShippedConnectors } from '../ingest/connectors/all.js';
import { SyncScheduler } from '../ingest/scheduler/scheduler.js';
import type { Logger } from '../log.js';
import { listTenants } from '../store/tenants.js';
import { describeDatabase, openStore } from './open-store.js';

const DEMO_TENANT = 'demo';

/** `rollcall serve`: migrate, seed the demo district into an empty store, serve HTTP until signalled. */
export async function serve(config: Config, log: Logger): Promise<void> {
  const db = await openStore(config, 'serve');
  const keyRing = loadKeyRing({ envValue: config.secretKey, dataDir: config.dataDir, embedded: !config.databaseUrl });
  if (!keyRing) log.warn('ROLLCALL_SECRET_KEY is not set: client secrets cannot be sealed, so OAuth 1.0a signing is unavailable');
  if (config.adminSecret) {
    const { action } = await ensureBootstrapAdmin(db.knex, config.adminSecret);
    log.info({ admin: 'admin', action }, 'admin credentials from ROLLCALL_ADMIN_SECRET');
  }
  let demoCredentials: { clientId: string; clientSecret: string } | undefined;
  if ((await listTenants(db.knex)).length === 0) {
    log.info({ students: config.demoStudents }, 'empty store: loading the demo district');
    const { loadDemo } = await import('../demo/load-demo.js'); // the generator (faker) only when it is needed
    const report = await loadDemo(db.knex, DEMO_TENANT, { students: config.demoStudents, seed: 1 });
    log.info({ outcome: report.outcome, durationMs: report.durationMs, files: report.files.length }, 'demo district loaded');
    const { client, clientSecret } = await createClient(db.knex, { tenant: DEMO_TENANT, name: 'Demo client' }, { keyRing });
    demoCredentials = { clientId: client.clientId, clientSecret };
  }
  registerShippedConnectors();
  const scheduler = await SyncScheduler.start({ db, keyRing, log });
  const app = createApp({ db, config, log, keyRing, scheduler });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  server.keepAliveTimeout = config.keepAliveSeconds * 1000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const base = config.publicUrl ?? `http://localhost:${port}`;
  db.announce(base);
  log.info({ port, database: db.engine }, 'listening');
  printBanner(base, describeDatabase(config), demoCredentials);

  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close();
    await scheduler.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function printBanner(base: string, database: string, demo?: { clientId: string; clientSecret: string }): void {
  const lines = [
    '',
    `Rollcall is serving ${base}  (database: ${database})`,
    `  OneRoster 1.1   ${base}/ims/oneroster/v1p1`,
    `  OneRoster 1.2   ${base}/ims/oneroster/rostering/v1p2`,
    `  Token URL       ${base}/oauth/token`,
    `  API reference   ${base}/docs`,
    `  Health          ${base}/health`,
  ];
  if (demo) {
    lines.push(
      '',
      `Loaded the demo district into tenant "${DEMO_TENANT}" and created an API client for it:`,
      `  client id       ${demo.clientId}`,
      `  client secret   ${demo.clientSecret}`,
      '  (the secret is shown only now; it is stored hashed)',
      '',
      'Try it:',
      `  TOKEN=$(curl -s -u '${demo.clientId}:${demo.clientSecret}' -d grant_type=client_credentials ${base}/oauth/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
      `  curl -H "Authorization: Bearer $TOKEN" '${base}/ims/oneroster/v1p1/users?limit=5'`,
      `  curl -H "Authorization: Bearer $TOKEN" '${base}/ims/oneroster/rostering/v1p2/users?limit=5'`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
