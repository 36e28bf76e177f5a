import fs from 'node:fs';
import path from 'node:path';
import { conflict } from '../errors.js';

/**
 * The embedded database has exactly one owner process. The owner writes `rollcall.owner.json`
 * (pid, command, URL) into the data folder; another process that finds a live owner refuses with a
 * message naming it. We write this ourselves rather than use a lock-file library because the
 * message must name the owner (its command and URL) and liveness is best judged by the owner's pid,
 * which survives a kill -9 as a stale file that the next owner simply replaces.
 */
export type Owner = { pid: number; command: string; url?: string; startedAt: string };

const FILE = 'rollcall.owner.json';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readOwner(dataDir: string): Owner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(dataDir, FILE), 'utf8')) as Owner;
    return owner.pid !== process.pid && isAlive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

export function describeOwner(o: Owner): string {
  return `\`rollcall ${o.command}\` (pid ${o.pid}${o.url ? `, serving ${o.url}` : ''}, since ${o.startedAt})`;
}

/** Takes ownership of the data folder or throws a `conflict` error naming the current owner. */
export function acquireDataDir(dataDir: string, command: string): { setUrl(url: string): void; release(): void } {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, FILE);
  const write = (owner: Owner, flag: 'wx' | 'w') => fs.writeFileSync(file, JSON.stringify(owner), { flag });
  const me: Owner = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      write(me, 'wx');
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          const current = JSON.parse(fs.readFileSync(file, 'utf8')) as Owner;
          if (current.pid === process.pid) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return { setUrl: (url) => write({ ...me, url }, 'w'), release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readOwner(dataDir);
      if (owner) {
        throw conflict(
          `The embedded database in ${dataDir} is in use by ${describeOwner(owner)}. ` +
            `Stop that process first, or set DATABASE_URL to use a shared Postgres server.`,
          { owner, dataDirBusy: true },
        );
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw conflict(`Could not take ownership of the embedded database in ${dataDir}; another process is starting.`, { dataDirBusy: true });
}
