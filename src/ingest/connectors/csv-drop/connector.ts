import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseInput } from '../../../auth/input.js';
import type { Logger } from '../../../log.js';
import { adminMessage } from '../../sync/admin-message.js';
import type { ConnectorContext, PackageConnector, ProbeResult } from '../types.js';
import { choosePackage, type DropEntry, type Skipped } from './choose.js';
import { CsvDropConfig, CsvDropCredentials } from './config.js';
import { CsvDropError } from './errors.js';
import { listLocal, statLocal } from './folder.js';
import { probesFor, requireManifest, summarizeLocal, type PackageSummary } from './package-check.js';
import { SftpSession } from './sftp.js';

/** How long apart the two listings are that tell a finished upload from one still being written. */
export const SETTLE_MS = 1000;

type Ctx = ConnectorContext<CsvDropConfig, CsvDropCredentials>;
type Fetched = { location: string; cleanup(): Promise<void> };

/**
 * OneRoster CSV drops: the package a district's SIS exports every night, as a zip (or a folder
 * with manifest.csv) in a local folder or on an SFTP server. Each run takes the newest complete
 * package and the sync engine imports it like `rollcall import`, owned by the connection.
 */
export const csvDropConnector: PackageConnector<CsvDropConfig, CsvDropCredentials> = {
  provider: 'oneroster-csv',
  label: 'OneRoster CSV drop',
  configSchema: CsvDropConfig,
  credentialsSchema: CsvDropCredentials,
  kind: 'package',

  /** Logs in and lists, and says which package the next run would take and what its manifest holds; never throws. */
  async test(ctx: Ctx): Promise<ProbeResult[]> {
    try {
      const { config, credentials } = settings(ctx);
      if (config.transport === 'folder') {
        const found = await locateLocal(config, ctx.signal);
        return probesFor(await summarizeLocal(found.location, found.label), found.label);
      }
      return await withSession(config, credentials, ctx, async (s) => {
        const found = await locateRemote(s, config, ctx.signal);
        return probesFor(await summarizeRemote(s, found), found.label);
      });
    } catch (err) {
      return [{ entity: 'orgs', ok: false, message: adminMessage(err) }];
    }
  },

  async fetchPackage(ctx: Ctx): Promise<Fetched> {
    const { config, credentials } = settings(ctx);
    if (config.transport === 'folder') {
      const found = await locateLocal(config, ctx.signal);
      requireManifest(await summarizeLocal(found.location, found.label), found.label);
      announce(ctx.log, found.label, found.skipped);
      return { location: found.location, cleanup: async () => {} };
    }
    return withSession(config, credentials, ctx, async (s) => {
      const found = await locateRemote(s, config, ctx.signal);
      announce(ctx.log, found.label, found.skipped);
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-csv-drop-'));
      const cleanup = async () => fs.rmSync(tmp, { recursive: true, force: true });
      try {
        let location: string;
        if (found.kind === 'zip') {
          location = path.join(tmp, found.entry.name);
          await s.download(found.remote, location, found.entry.size);
        } else {
          location = path.join(tmp, path.posix.basename(found.dir) || 'package');
          fs.mkdirSync(location);
          for (const f of found.files) await s.download(path.posix.join(found.dir, f.name), path.join(location, f.name), f.size);
        }
        requireManifest(await summarizeLocal(location, found.label), found.label);
        ctx.log.info({ package: found.label }, 'csv drop package downloaded');
        return { location, cleanup };
      } catch (err) {
        await cleanup();
        throw err;
      }
    });
  },
};

function settings(ctx: Ctx): { config: CsvDropConfig; credentials: CsvDropCredentials } {
  return {
    config: parseInput(CsvDropConfig, ctx.config, 'OneRoster CSV drop settings'),
    credentials: parseInput(CsvDropCredentials, ctx.credentials ?? {}, 'OneRoster CSV drop credentials'),
  };
}

function announce(log: Logger, label: string, skipped: Skipped[]): void {
  if (skipped.length) log.warn({ skipped }, `csv drop: passed over ${skipped.length} name(s) in favour of the newest complete package`);
  log.info({ package: label }, 'csv drop: taking package');
}

async function settle(signal: AbortSignal): Promise<void> {
  try {
    await sleep(SETTLE_MS, undefined, { signal });
  } catch {
    throw new CsvDropError('internal', 'the run was stopped before the package was fetched', { retryable: true });
  }
}

const kb = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
const describeEntry = (e: DropEntry, where: string) => `${e.name} (${kb(e.size)}, modified ${new Date(e.mtimeMs).toISOString()}) in ${where}`;

/** The local package to take: a zip named by the path itself, the folder, or the newest zip/sub-folder in it. */
async function locateLocal(config: CsvDropConfig, signal: AbortSignal): Promise<{ location: string; label: string; skipped: Skipped[] }> {
  const st = statLocal(config.path);
  if (st.isFile()) {
    await settle(signal);
    const again = statLocal(config.path);
    if (again.size !== st.size || again.mtimeMs !== st.mtimeMs) {
      throw new CsvDropError('conflict', `${config.path} is still being written (its size or time changed within a second): the next run will try again`, { retryable: true });
    }
    return { location: config.path, label: config.path, skipped: [] };
  }
  const first = listLocal(config.path);
  await settle(signal);
  const second = listLocal(config.path);
  const choice = choosePackage(first, second, config.pattern, config.path);
  if (choice.kind === 'self') return { location: config.path, label: `the folder ${config.path}`, skipped: choice.skipped };
  return { location: path.join(config.path, choice.entry.name), label: describeEntry(choice.entry, config.path), skipped: choice.skipped };
}

type Remote =
  | { kind: 'zip'; remote: string; entry: DropEntry; label: string; skipped: Skipped[] }
  | { kind: 'folder'; dir: string; files: DropEntry[]; label: string; skipped: Skipped[] };

/** The remote package to take: the directory itself (it holds manifest.csv), or its newest complete zip (or matching sub-folder). */
async function locateRemote(s: SftpSession, config: CsvDropConfig, signal: AbortSignal): Promise<Remote> {
  const first = await s.list();
  await settle(signal);
  const second = await s.list();
  const choice = choosePackage(first, second, config.pattern, s.where());
  if (choice.kind === 'self') return { kind: 'folder', dir: config.path, files: choice.csvFiles, label: `the folder ${s.where()}`, skipped: choice.skipped };
  const remote = path.posix.join(config.path, choice.entry.name);
  const label = describeEntry(choice.entry, s.where());
  if (choice.kind === 'zip') return { kind: 'zip', remote, entry: choice.entry, label, skipped: choice.skipped };
  const inner1 = await s.list(remote);
  await settle(signal);
  const inner2 = await s.list(remote);
  if (!inner1.some((e) => e.kind === 'file' && e.name.toLowerCase() === 'manifest.csv')) {
    throw new CsvDropError('invalid_input', `${label} holds no manifest.csv: check the pattern, or ask the district to export a complete OneRoster CSV package`);
  }
  const inner = choosePackage(inner1, inner2, undefined, s.where(remote));
  if (inner.kind !== 'self') throw new CsvDropError('internal', `${label} could not be read as a package`);
  return { kind: 'folder', dir: remote, files: inner.csvFiles, label, skipped: choice.skipped };
}

async function summarizeRemote(s: SftpSession, found: Remote): Promise<PackageSummary> {
  if (found.kind === 'zip') return s.summarizeZip(found.remote, found.entry.size);
  const files = found.files.map((f) => f.name);
  const manifest = files.includes('manifest.csv') ? await s.readText(path.posix.join(found.dir, 'manifest.csv')) : undefined;
  return { files, manifest };
}

async function withSession<T>(config: CsvDropConfig, credentials: CsvDropCredentials, ctx: Ctx, fn: (s: SftpSession) => Promise<T>): Promise<T> {
  const session = await SftpSession.open(config, credentials, ctx.log, ctx.signal);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
