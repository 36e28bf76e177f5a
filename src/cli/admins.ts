import { Command } from 'commander';
import type { Knex } from 'knex';
import { createAdmin, disableAdmin, listAdmins } from '../auth/admins.js';
import type { Config } from '../config.js';
import { withStore as withStoreOf } from './with-store.js';
import { printJson, secretBlock, table } from './output.js';

/** `rollcall admins …`: credentials for the admin API (/admin/v1). */
export function adminsCommand(config: () => Config): Command {
  const withStore = <T>(run: (knex: Knex) => Promise<T>) => withStoreOf(config(), 'admins', run);
  const cmd = new Command('admins').description('manage admin API credentials (secrets are shown once, when created)');

  cmd
    .command('create')
    .description('create an admin and print its id and secret (shown only now)')
    .requiredOption('-n, --name <name>', 'who this admin is')
    .option('-t, --tenant <id>', 'the one tenant it manages (default: every tenant)')
    .option('--json', 'print JSON')
    .action(async (o: { name: string; tenant?: string; json?: boolean }) => {
      const { admin, secret } = await withStore((k) => createAdmin(k, { name: o.name, tenant: o.tenant ?? null }));
      if (o.json) return printJson({ ...admin, secret });
      const scope = admin.tenant === null ? 'every tenant' : `tenant "${admin.tenant}"`;
      secretBlock(`Created admin "${admin.name}" for ${scope}:`, admin.adminId, secret, [], 'admin id', 'admin secret');
    });

  cmd
    .command('list')
    .description('list admins (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const admins = await withStore((k) => listAdmins(k));
      if (o.json) return printJson(admins);
      if (admins.length === 0) return void process.stdout.write('No admins.\n');
      table(['admin id', 'name', 'tenant', 'status'], admins.map((a) => [a.adminId, a.name, a.tenant ?? '(all)', a.disabled ? 'disabled' : 'enabled']));
    });

  cmd
    .command('disable')
    .description('disable an admin and revoke its tokens')
    .argument('<adminId>')
    .action(async (id: string) => {
      const a = await withStore((k) => disableAdmin(k, id));
      process.stdout.write(`Disabled admin ${a.adminId}; its tokens are revoked.\n`);
    });

  return cmd;
}
