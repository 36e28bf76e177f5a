import { Command, InvalidArgumentError, Option } from 'commander';
import type { Knex } from 'knex';
import {
  createClient, disableClient, enableClient, getClient, listClients, rotateSecret, setRateLimit, setSharing, type ApiClient, type SecretStorage,
} from '../auth/clients.js';
import type { Sharing } from '../auth/sharing.js';
import type { Config } from '../config.js';
import { loadKeyRing } from '../crypto/key-ring.js';
import { withStore as withStoreOf } from './with-store.js';
import { commaList, onOff, printJson, secretBlock, table } from './output.js';

type Share = {
  schools?: string[];
  allSchools?: boolean;
  demographics?: boolean;
  guardians?: boolean;
  userFlags?: boolean;
  mask?: string[];
  rateLimit?: number | false;
};

const perMinute = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('requests per minute must be a whole number of at least 1');
  return n;
};

/** `rollcall clients …`: create, list, enable/disable API clients, rotate secrets, set sharing. */
export function clientsCommand(config: () => Config): Command {
  const withStore = <T>(run: (knex: Knex) => Promise<T>) => withStoreOf(config(), 'clients', run);
  /** The key ring `serve` uses, so new secrets are sealed for OAuth 1.0a as well as hashed. */
  const storage = (): SecretStorage => {
    const c = config();
    const keyRing = loadKeyRing({ envValue: c.secretKey, dataDir: c.dataDir, embedded: !c.databaseUrl });
    if (!keyRing) process.stderr.write('note: ROLLCALL_SECRET_KEY is not set, so this secret is not sealed and cannot sign OAuth 1.0a requests\n');
    return { keyRing };
  };
  const cmd = new Command('clients').description('manage OneRoster API clients (secrets are shown once, when created or rotated)');

  cmd
    .command('create')
    .description('create an API client for a tenant and print its id and secret (shown only now)')
    .requiredOption('-t, --tenant <id>', 'tenant the client reads')
    .requiredOption('-n, --name <name>', 'a name for people (the app, the vendor)')
    .option('--scopes <list>', 'comma list of scope URIs or short names core, roster, demographics (each = its v1p1 and v1p2 URIs); default: all', commaList)
    .option('--client-id <id>', 'use this client id instead of a random one')
    .option('--client-secret <secret>', 'use this secret (at least 16 characters) instead of a random one')
    .option('--json', 'print JSON')
    .action(async (o: { tenant: string; name: string; scopes?: string[]; clientId?: string; clientSecret?: string; json?: boolean }) => {
      const { client, clientSecret } = await withStore((k) => createClient(k, o, storage()));
      if (o.json) return printJson({ ...client, clientSecret });
      secretBlock(`Created API client "${client.name}" for tenant "${client.tenant}":`, client.clientId, clientSecret, [
        `scopes          ${client.scopes.join('\n                  ')}`,
      ]);
    });

  cmd
    .command('list')
    .description('list API clients (never their secrets)')
    .option('-t, --tenant <id>', 'only this tenant')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; json?: boolean }) => {
      const clients = await withStore((k) => listClients(k, o.tenant));
      if (o.json) return printJson(clients);
      if (clients.length === 0) return void process.stdout.write('No API clients.\n');
      table(['client id', 'tenant', 'name', 'status', 'schools', 'rate limit'], clients.map(row));
    });

  cmd
    .command('disable')
    .description('disable a client and revoke its tokens')
    .argument('<clientId>')
    .action(async (id: string) => {
      const c = await withStore((k) => disableClient(k, id));
      process.stdout.write(`Disabled API client ${c.clientId} (tenant "${c.tenant}"); its tokens are revoked.\n`);
    });

  cmd
    .command('enable')
    .description('enable a disabled client')
    .argument('<clientId>')
    .action(async (id: string) => {
      const c = await withStore((k) => enableClient(k, id));
      process.stdout.write(`Enabled API client ${c.clientId} (tenant "${c.tenant}").\n`);
    });

  cmd
    .command('rotate-secret')
    .description('give a client a new random secret (shown only now); the old secret and its tokens stop working')
    .argument('<clientId>')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const { client, clientSecret } = await withStore((k) => rotateSecret(k, id, storage()));
      if (o.json) return printJson({ clientId: client.clientId, clientSecret });
      secretBlock(`New secret for API client "${client.name}" (tenant "${client.tenant}"); the old one no longer works:`, client.clientId, clientSecret);
    });

  cmd
    .command('share')
    .description('set what a client may see; only the options given change')
    .argument('<clientId>')
    .addOption(new Option('--schools <ids>', 'comma list of school sourcedIds the client may see').argParser(commaList).conflicts('allSchools'))
    .option('--all-schools', 'the client may see every school')
    .addOption(new Option('--demographics <on|off>', 'share demographics').argParser(onOff))
    .addOption(new Option('--guardians <on|off>', 'share guardians (and guardian links)').argParser(onOff))
    .addOption(new Option('--user-flags <on|off>', 'share user flags (metadata.microsoft.userFlags)').argParser(onOff))
    .option('--mask <fields>', 'comma list of <entity>.<field> left out of every record (replaces the list; "" clears it)', commaList)
    .option('--rate-limit <n>', 'requests per minute for this client', perMinute)
    .option('--no-rate-limit', "use the server's default rate limit")
    .action(async (id: string, o: Share) => {
      const client = await withStore(async (k) => {
        const current = await getClient(k, id);
        const sharing = merged(current.sharing, o);
        let c = sharing ? await setSharing(k, id, sharing) : current;
        if (o.rateLimit !== undefined) c = await setRateLimit(k, id, o.rateLimit === false ? null : o.rateLimit);
        return c;
      });
      process.stdout.write(`${describeSharing(client)}\n`);
    });

  return cmd;
}

/** The new sharing when any sharing option was given, else undefined. */
function merged(s: Sharing, o: Share): Sharing | undefined {
  const next: Sharing = {
    schools: o.allSchools ? null : (o.schools ?? s.schools),
    demographics: o.demographics ?? s.demographics,
    guardians: o.guardians ?? s.guardians,
    userFlags: o.userFlags ?? s.userFlags,
    maskedFields: o.mask ?? s.maskedFields,
  };
  const changed = o.allSchools || [o.schools, o.demographics, o.guardians, o.userFlags, o.mask].some((v) => v !== undefined);
  return changed ? next : undefined;
}

function row(c: ApiClient): string[] {
  return [
    c.clientId,
    c.tenant,
    c.name,
    c.disabled ? 'disabled' : 'enabled',
    c.sharing.schools === null ? 'all' : String(c.sharing.schools.length),
    c.rateLimitPerMinute === null ? 'default' : `${c.rateLimitPerMinute}/min`,
  ];
}

function describeSharing(c: ApiClient): string {
  const s = c.sharing;
  const yes = (b: boolean) => (b ? 'shared' : 'withheld');
  return [
    `API client ${c.clientId} (tenant "${c.tenant}") shares:`,
    `  schools         ${s.schools === null ? 'all' : s.schools.join(', ') || '(none)'}`,
    `  demographics    ${yes(s.demographics)}`,
    `  guardians       ${yes(s.guardians)}`,
    `  user flags      ${yes(s.userFlags)}`,
    `  masked fields   ${s.maskedFields.join(', ') || '(none)'}`,
    `  rate limit      ${c.rateLimitPerMinute === null ? "server default" : `${c.rateLimitPerMinute} requests per minute`}`,
  ].join('\n');
}
