import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { loadConfig, type Config } from '../config.js';
import { RollcallError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { adminsCommand } from './admins.js';
import { clientsCommand } from './clients.js';
import { connectionsCommand } from './connections.js';
import { runDemo } from './demo.js';
import { runImport } from './import.js';
import { runMigrate } from './migrate.js';
import { serve } from './serve.js';
import { syncCommand } from './sync.js';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

function context(overrides: Partial<Config> = {}): { config: Config; log: Logger } {
  const config = { ...loadConfig(), ...overrides };
  // Logs go to stderr so stdout stays clean for reports and --json.
  return { config, log: createLogger(config.logLevel, pino.destination(2)) };
}

const program = new Command('rollcall')
  .description('Rollcall: a OneRoster 1.1/1.2 roster hub')
  .showHelpAfterError();

program
  .command('serve')
  .description('serve the OneRoster API (applies migrations; loads the demo district into an empty store)')
  .option('-p, --port <port>', 'port to listen on (default: PORT or 8080)', int('port'))
  .action(async (o: { port?: number }) => {
    const { config, log } = context(o.port !== undefined ? { port: o.port } : {});
    await serve(config, log);
  });

program
  .command('migrate')
  .description('apply database migrations')
  .action(async () => {
    const { config } = context();
    await runMigrate(config);
  });

program
  .command('import')
  .description('import a OneRoster 1.1/1.2 CSV package (folder or zip) into a tenant')
  .argument('<folder-or-zip>', 'the CSV package')
  .requiredOption('-t, --tenant <id>', 'tenant to import into (created if missing)')
  .option('--source <name>', 'source name owning the records (bulk files tombstone only its records)', 'csv')
  .addOption(new Option('--mode <mode>', 'for packages without manifest.csv: read every file as').choices(['bulk', 'delta']))
  .option('--json', 'print the report as JSON')
  .action(async (location: string, o: { tenant: string; source: string; mode?: 'bulk' | 'delta'; json?: boolean }) => {
    const { config } = context();
    process.exitCode = await runImport(config, location, o);
  });

program
  .command('demo')
  .description('generate a realistic, deterministic demo district (load it into a tenant, or write it as CSV with --out)')
  .option('-t, --tenant <id>', 'tenant to load into', 'demo')
  .option('--students <n>', 'number of students', int('students'), 1000)
  .option('--seed <s>', 'random seed', int('seed'), 1)
  .option('--classes-per-student <n>', 'class enrollments per student', int('classes-per-student'))
  .option('--out <folder>', 'write OneRoster 1.1 CSV here instead of loading it')
  .option('--json', 'print the import report as JSON')
  .action(async (o: { tenant: string; students: number; seed: number; classesPerStudent?: number; out?: string; json?: boolean }) => {
    const { config } = context();
    process.exitCode = await runDemo(config, o);
  });

program.addCommand(clientsCommand(() => loadConfig()));
program.addCommand(adminsCommand(() => loadConfig()));
program.addCommand(connectionsCommand(() => loadConfig()));
program.addCommand(syncCommand(() => loadConfig()));

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof RollcallError) {
    process.stderr.write(`rollcall: ${e.message}\n`);
    process.exit(e.details?.dataDirBusy ? 75 : 1); // 75 (EX_TEMPFAIL): the data folder is busy, try later
  }
  throw e;
}
