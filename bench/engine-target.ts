import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A throwaway database for one benchmark run: a fresh database on the Postgres server at
 * `databaseUrl`, or a fresh PGlite data folder. `target` is what the run script opens.
 */
export async function engineTarget(engine: string, databaseUrl: string): Promise<{ target: string; cleanup(): void }> {
  if (engine === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-bench-'));
    return { target: dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  if (engine !== 'postgres') throw new Error(`unknown engine ${engine}: use postgres or pglite`);
  const name = `rollcall_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return { target: url.toString(), cleanup: () => void spawnSync('psql', [databaseUrl, '-qc', `drop database if exists ${name} with (force)`]) };
}
