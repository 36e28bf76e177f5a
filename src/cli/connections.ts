import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { Knex } from 'knex';
import pino from 'pino';
import type { Config } from '../config.js';
import { loadKeyRing } from '../crypto/key-ring.js';
import { invalidInput } from '../errors.js';
import { createConnection, getConnection, listConnections } from '../ingest/connections/connections.js';
import { TEMPLATES, fromTemplate } from '../ingest/connections/templates.js';
import { testConnection } from '../ingest/connections/test-connection.js';
import { registerShippedConnectors } from '../ingest/connectors/all.js';
import { listConnectors } from '../ingest/connectors/registry.js';
import { createLogger } from '../log.js';
import { printJson, table } from './output.js';
import { withStore as withStoreOf } from './with-store.js';

const number = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
  return n;
};

/** A JSON object from a file, or from standard input with "-" (so secrets stay out of shell history). */
function readJsonFile(path: string, what: string): Record<string, unknown> {
  const text = fs.readFileSync(path === '-' ? 0 : path, 'utf8');
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    /* reported below */
  }
  throw invalidInput(`${what} in ${path === '-' ? 'standard input' : path} must be a JSON object`);
}

export const keyRingOf = (c: Config) => loadKeyRing({ envValue: c.secretKey, dataDir: c.dataDir, embedded: !c.databaseUrl });

/** `rollcall connections …`: upstream connections of a tenant (credentials sealed with the server's key). */
export function connectionsCommand(config: () => Config): Command {
  registerShippedConnectors();
  const withStore = <T>(run: (knex: Knex) => Promise<T>) => withStoreOf(config(), 'connections', run);
  const cmd = new Command('connections').description('manage upstream connections (SIS, directory, rostering hub, CSV drops)');

  cmd
    .command('providers')
    .description('list the providers a connection can use')
    .action(() => table(['provider', 'name', 'kind'], listConnectors().map((c) => [c.provider, c.label, c.kind === 'package' ? 'CSV package' : 'API records'])));

  cmd
    .command('templates')
    .description('list provider templates (a vendor\'s usual settings): use with create --template')
    .action(() => table(['template', 'provider', 'name', 'you supply'], TEMPLATES.map((t) => [t.id, t.provider, t.label, t.fill.join(', ')])));

  cmd
    .command('create')
    .description('save a connection (its credentials are sealed with ROLLCALL_SECRET_KEY)')
    .requiredOption('-t, --tenant <id>', 'tenant the connection writes')
    .requiredOption('-n, --name <name>', 'a name for people')
    .option('-p, --provider <provider>', 'see `rollcall connections providers` (or use --template)')
    .option('--template <id>', 'start from a provider template (see `rollcall connections templates`)')
    .option('--host <host>', 'for templates: the vendor server\'s host name')
    .option('--app-name <name>', 'for Infinite Campus templates: the Campus application name')
    .option('--id <id>', 'connection id (default: random)')
    .option('--config <file>', 'settings as a JSON file ("-" for standard input)')
    .option('--credentials <file>', 'secrets as a JSON file ("-" for standard input)')
    .option('--priority <n>', 'lower wins when two connections write the same record (default 100)', number('priority', 0, 10_000))
    .option('--schedule <cron>', 'run on this cron schedule (e.g. "0 5,17 * * *")')
    .option('--tombstone-threshold <share>', 'hold a full run for approval above this share of deletions (default 0.1)', number('threshold', 0, 1))
    .option('--json', 'print JSON')
    .action(async (o: {
      tenant: string; name: string; provider?: string; template?: string; host?: string; appName?: string; id?: string; config?: string; credentials?: string;
      priority?: number; schedule?: string; tombstoneThreshold?: number; json?: boolean;
    }) => {
      const c = config();
      const given = o.config ? readJsonFile(o.config, 'settings') : {};
      const values = Object.fromEntries(Object.entries({ host: o.host, appName: o.appName }).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const base = o.template ? fromTemplate(o.template, values, given) : { provider: o.provider, config: given };
      if (!base.provider) throw invalidInput('name a --provider or a --template');
      const conn = await withStore((k) =>
        createConnection(k, {
          tenant: o.tenant, name: o.name, provider: base.provider!, id: o.id, priority: o.priority, schedule: o.schedule ?? null, tombstoneThreshold: o.tombstoneThreshold,
          config: base.config, credentials: o.credentials ? readJsonFile(o.credentials, 'credentials') : {},
        }, keyRingOf(c)),
      );
      if (o.json) return printJson(conn);
      process.stdout.write(`Saved connection ${conn.id} (${conn.provider}) for tenant "${conn.tenant}". Test it with: rollcall connections test ${conn.id}\n`);
    });

  cmd
    .command('list')
    .description('list connections (never their credentials)')
    .option('-t, --tenant <id>', 'only this tenant')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; json?: boolean }) => {
      const list = await withStore((k) => listConnections(k, o.tenant));
      if (o.json) return printJson(list);
      if (!list.length) return void process.stdout.write('No connections.\n');
      table(['id', 'tenant', 'provider', 'name', 'status', 'last message'], list.map((c) => [c.id, c.tenant, c.provider, c.name, c.status, c.lastMessage ?? '']));
    });

  cmd
    .command('show')
    .argument('<id>')
    .description('show a connection (never its credentials)')
    .action(async (id: string) => printJson(await withStore((k) => getConnection(k, id))));

  cmd
    .command('test')
    .argument('<id>')
    .description('authenticate and probe each entity; records the status (Success or Error) and its message')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const c = config();
      const log = createLogger(c.logLevel, pino.destination(2));
      const res = await withStore((k) => testConnection({ knex: k, keyRing: keyRingOf(c), log }, id));
      if (o.json) return printJson(res);
      for (const p of res.probes) process.stdout.write(`  ${p.ok ? 'ok  ' : 'FAIL'} ${p.entity.padEnd(17)} ${p.message}\n`);
      process.stdout.write(`${res.connection.id}: ${res.connection.status}${res.connection.lastMessage ? ` (${res.connection.lastMessage})` : ''}\n`);
      process.exitCode = res.connection.status === 'success' ? 0 : 1;
    });

  return cmd;
}
