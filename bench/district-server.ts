// The real server for the district benchmark: `node bin/rollcall.js serve`, with the node flags of
// `npm start`, in a child process over the imported store, and CPU accounting for it and for the
// Postgres backends serving its database.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';

export type RunningServer = {
  base: string;
  pid: number;
  /** Peak RSS of the server process so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** Resident set size of the server process now (VmRSS), in MB. */
  rssMb(): number;
  /** CPU seconds (user + system) the server process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
};

const TICK = 100; // USER_HZ on Linux

function procStatus(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime of a process (and its waited-for children, which a server has none of), in seconds. */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK; // fields 14 and 15 of stat(5)
  } catch {
    return undefined;
  }
}

/**
 * The node flags `npm start` runs the server with (package.json), such as its heap budget, so the
 * benchmark measures the server as it ships.
 */
export function startNodeFlags(): string[] {
  const start: string = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts.start;
  const words = start.split(/\s+/);
  if (words[0] !== 'node' || !words.includes('bin/rollcall.js')) throw new Error(`package.json "start" is not \`node [flags] bin/rollcall.js serve\`: ${start}`);
  return words.slice(1, words.indexOf('bin/rollcall.js'));
}

export async function startServer(opts: {
  engine: string;
  target: string;
  port: number;
  logFile: string;
  /** Extra node flags for the server (after those of `npm start`), e.g. --cpu-prof. */
  nodeArgs?: string[];
}): Promise<RunningServer> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ROLLCALL_RATE_LIMIT: '100000000',
  };
  delete env.DATABASE_URL;
  delete env.ROLLCALL_DATA_DIR;
  delete env.PUBLIC_URL;
  if (opts.engine === 'postgres') env.DATABASE_URL = opts.target;
  else env.ROLLCALL_DATA_DIR = opts.target;
  const log = fs.openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...startNodeFlags(), ...(opts.nodeArgs ?? []), 'bin/rollcall.js', 'serve'], { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code), resolve())));
  const base = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`the server exited (code ${exited}) before it was ready; see ${opts.logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /health within 300 s; see ${opts.logFile}`);
    }
    try {
      const res = await fetch(`${base}/health`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  let peak = 0;
  let cpu = 0;
  const sample = () => {
    peak = Math.max(peak, Math.round((procStatus(pid, 'VmHWM') ?? 0) / 1024));
    cpu = procCpuSeconds(pid) ?? cpu;
  };
  return {
    base,
    pid,
    peakRssMb: () => (sample(), peak),
    rssMb: () => Math.round((procStatus(pid, 'VmRSS') ?? 0) / 1024),
    cpuSeconds: () => (sample(), cpu),
    async stop() {
      sample();
      if (exited === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * CPU seconds used by the Postgres backends connected to one database (the server's pool, an
 * importer), read from /proc (Postgres runs on this machine). Sampled by district-meter.
 */
export class BackendCpu {
  private constructor(private readonly client: pg.Client | undefined, private readonly database: string) {}

  static async open(databaseUrl: string | undefined): Promise<BackendCpu> {
    if (!databaseUrl || os.platform() !== 'linux') return new BackendCpu(undefined, '');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return new BackendCpu(client, new URL(databaseUrl).pathname.slice(1));
  }

  /** pid -> CPU seconds of every backend of the database but this reader's own. */
  async read(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (!this.client) return out;
    const { rows } = await this.client.query(`select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [this.database]);
    for (const { pid } of rows) {
      const s = procCpuSeconds(pid);
      if (s !== undefined) out.set(pid, s);
    }
    return out;
  }

  async close() {
    await this.client?.end();
  }
}
