import path from 'node:path';
import { z } from 'zod';
import { invalidInput } from './errors.js';

/** Every setting Rollcall reads from the environment, validated in one place. */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** postgres://… for a real Postgres; absent means the embedded PGlite database. */
  DATABASE_URL: z.string().url().optional(),
  /** Folder of the embedded database (only used without DATABASE_URL). */
  ROLLCALL_DATA_DIR: z.string().default('./data'),
  /** Absolute base URL clients see (for GUIDRef hrefs and Link headers); derived from the request when absent. */
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Students in the demo district loaded by `npm start` on an empty store. */
  ROLLCALL_DEMO_STUDENTS: z.coerce.number().int().min(0).default(1000),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  publicUrl?: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  demoStudents: number;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset (compose files and shells often pass VAR= ).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw invalidInput(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.ROLLCALL_DATA_DIR),
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    demoStudents: e.ROLLCALL_DEMO_STUDENTS,
  };
}
