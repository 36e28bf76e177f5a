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
  /** Lifetime of access tokens issued by /oauth/token, in seconds. */
  ROLLCALL_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** Requests per minute each API client may make (a client's own setting overrides it). */
  ROLLCALL_RATE_LIMIT: z.coerce.number().int().min(1).default(1200),
  /**
   * Seconds an idle HTTP connection is kept open for the client's next request. Longer than the
   * idle timeout of a load balancer or proxy in front (60 s for most), so that the proxy, not
   * Rollcall, closes an idle connection; otherwise the proxy may send a request on a connection
   * Rollcall is closing and answer 502. Node's own default is 5 s.
   */
  ROLLCALL_KEEP_ALIVE_SECONDS: z.coerce.number().int().min(1).max(3600).default(75),
  /**
   * Fernet keys (comma list, newest first) sealing secrets at rest. Without it, the embedded
   * database keeps a generated key in <data dir>/secret.key; a server database then cannot seal.
   */
  ROLLCALL_SECRET_KEY: z.string().optional(),
  /** When set, `serve` keeps an all-tenant admin with id `admin` and this secret (at least 16 characters). */
  ROLLCALL_ADMIN_SECRET: z.string().min(16, 'ROLLCALL_ADMIN_SECRET must be at least 16 characters').optional(),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  publicUrl?: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  demoStudents: number;
  tokenTtlSeconds: number;
  rateLimitPerMinute: number;
  keepAliveSeconds: number;
  adminSecret?: string;
  secretKey?: string;
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
    tokenTtlSeconds: e.ROLLCALL_TOKEN_TTL,
    rateLimitPerMinute: e.ROLLCALL_RATE_LIMIT,
    keepAliveSeconds: e.ROLLCALL_KEEP_ALIVE_SECONDS,
    adminSecret: e.ROLLCALL_ADMIN_SECRET,
    secretKey: e.ROLLCALL_SECRET_KEY,
  };
}
