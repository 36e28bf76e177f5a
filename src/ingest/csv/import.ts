import type { Knex } from 'knex';
import { ENTITIES, type EntityName } from '../../model/entities.js';
import { EntityStage } from '../../store/entity-stage.js';
import { settleTables, type TableChange } from '../../store/settle.js';
import { stageFormatOf } from '../../store/stage-encoder.js';
import { ensureTenant, lockTenantForWrite } from '../../store/tenants.js';
import { CSV_FILES, NOT_ROSTERING, type CsvFileSpec, type MapContext } from './files/index.js';
import { parseManifest, type FileMode, type Manifest } from './manifest.js';
import { openCsvPackage, type CsvPackage } from './package-source.js';
import { ProblemLog, type Problem } from './problems.js';
import { FileReads, readRow, rowsOf, threadFromBytesFor, type FileRead } from './read-file.js';
import { CsvFormatError } from './read-csv.js';
import { emptyFile, type FileReport, type ImportReport } from './report.js';

export type ImportOptions = {
  location: string;
  tenant: string;
  /** Who owns the records written; a bulk file tombstones only this source's records. */
  source?: string;
  /** For packages without manifest.csv: how to read every file. */
  mode?: 'bulk' | 'delta';
  problemCap?: number;
  onProgress?: (file: string, rows: number) => void;
  /**
   * For imports run by a connection: a bulk file that would tombstone more than this share of the
   * source's records of its entity tombstones nothing and is reported as held. Unset: no limit.
   */
  tombstoneThreshold?: number;
  /** Files of at least this many bytes are parsed on a worker thread (default: threadFromBytesFor the database: 4 MB on PGlite, none on Postgres). */
  threadFromBytes?: number;
};

/**
 * Imports a OneRoster CSV package (folder or zip) into one tenant, in one transaction: after a
 * crash the store is as before or after, never half-applied. Each file applies inside its own
 * savepoint, so a file that cannot be parsed imports nothing while the others go on. Files apply
 * in order; most are parsed ahead, while the file before them applies, and large ones on a worker
 * thread (FileReads).
 */
export async function importCsv(knex: Knex, opts: ImportOptions): Promise<ImportReport> {
  const started = new Date();
  const pkg = await openCsvPackage(opts.location);
  try {
    const log = new ProblemLog(opts.problemCap ?? 1000);
    const manifest = await readManifest(pkg, opts.mode, log);
    if (!manifest) return finish(opts, pkg, undefined, started, false, [], log); // nothing to apply: the store is not touched
    const { report, clock } = await knex.transaction(async (trx) => {
      const tenantCreated = await ensureTenant(trx, opts.tenant);
      const ts = await lockTenantForWrite(trx, opts.tenant);
      await trx.raw(`set local work_mem = '64MB'`); // the checks' hash aggregates and anti-joins stay in memory at L
      const ctx: MapContext = { version: manifest?.version ?? '1.1', orgTypes: new Map(), rolesByUser: new Map(), profilesByUser: new Map() };
      const files: FileReport[] = [];
      const job = { trx, opts, pkg, log, ctx, ts, source: opts.source ?? 'csv' };
      const plan = CSV_FILES.map((spec) => ({ spec, ...modeOf(spec, pkg, manifest) }));
      const entityFiles = plan.flatMap(({ spec, mode }) => (mode && pkg.files.includes(spec.file) && isEntity(spec.target) ? [{ spec, entity: spec.target }] : []));
      const reads = new FileReads({ format: stageFormatOf(trx), pkg, ctx, log, onProgress: opts.onProgress, threadFromBytes: opts.threadFromBytes ?? threadFromBytesFor(trx) }, entityFiles);
      // The mapping context is filled once every file that fills it has had its turn: the org types
      // 1.1's users need are read back from the store after orgs.csv has applied.
      let toFill = plan.filter(({ spec, mode }) => mode && spec.fillsContext && pkg.files.includes(spec.file)).length;
      const fillContext = async () => {
        ctx.orgTypes = await orgTypes(trx, opts.tenant);
        reads.contextFilled();
      };
      try {
        if (!toFill) await fillContext();
        for (const { spec, mode, warning } of plan) {
          if (warning) log.add({ file: spec.file, severity: 'warning', message: warning });
          if (!mode) continue;
          if (!pkg.files.includes(spec.file)) {
            files.push({ ...emptyFile(spec.file, mode, 'missing'), problems: 1 });
            log.add({ file: spec.file, message: `the manifest says ${mode}, but the package has no ${spec.file}; nothing was changed for it` });
            continue;
          }
          files.push(await importFile(job, spec, mode, isEntity(spec.target) ? reads.take(spec) : undefined));
          if (spec.fillsContext && --toFill === 0) await fillContext();
        }
      } finally {
        await reads.close();
      }
      const r = finish(opts, pkg, manifest, started, tenantCreated, files, log);
      await trx.raw(
        `insert into import_runs (tenant_id, source, origin, started_at, finished_at, outcome, report) values (?, ?, ?, ?, now(), ?, ?)`,
        [opts.tenant, job.source, pkg.name, started, r.outcome, JSON.stringify(r)],
      );
      return { report: r, clock: ts };
    });
    await settleTables(knex, opts.tenant, clock, changedTables(report));
    return report;
  } finally {
    pkg.close();
  }
}

/** The rows an import changed in each table (roles and user profiles land in users, counted on users.csv). */
function changedTables(report: ImportReport): TableChange[] {
  const rows = new Map<string, number>();
  for (const f of report.files) {
    const spec = CSV_FILES.find((s) => s.file === f.file);
    const target = spec?.target;
    if (!target || target === 'roles' || target === 'userProfiles') continue;
    const table = ENTITIES[target].table;
    rows.set(table, (rows.get(table) ?? 0) + f.created + f.updated + f.tombstoned);
  }
  return [...rows].map(([table, n]) => ({ table, rows: n }));
}

type Job = {
  trx: Knex.Transaction;
  opts: ImportOptions;
  pkg: CsvPackage;
  log: ProblemLog;
  ctx: MapContext;
  ts: Date;
  source: string;
};

async function readManifest(pkg: CsvPackage, mode: 'bulk' | 'delta' | undefined, log: ProblemLog): Promise<Manifest | undefined> {
  if (!pkg.files.includes('manifest.csv')) {
    if (mode) {
      const modes = new Map<string, FileMode>(CSV_FILES.map((f) => [f.manifestKey, pkg.files.includes(f.file) ? mode : 'absent']));
      return { version: pkg.files.includes('roles.csv') ? '1.2' : '1.1', modes, properties: new Map() };
    }
    log.add({ file: 'manifest.csv', message: 'is missing: it says which files are bulk and which delta. Add it, or pass --mode bulk or --mode delta' });
    return undefined;
  }
  const chunks: Buffer[] = [];
  for await (const c of await pkg.open('manifest.csv')) chunks.push(c as Buffer);
  const problems: Problem[] = [];
  const manifest = parseManifest(Buffer.concat(chunks).toString('utf8'), problems);
  problems.forEach((p) => log.add(p));
  return manifest;
}

/**
 * The mode to read a file in, or none to leave it alone (absent, or not listed and not present),
 * with the warning to give when a file in the package is ignored.
 */
function modeOf(spec: CsvFileSpec, pkg: CsvPackage, manifest: Manifest): { mode?: 'bulk' | 'delta'; warning?: string } {
  const mode = manifest.modes.get(spec.manifestKey);
  const present = pkg.files.includes(spec.file);
  if (!spec.versions.includes(manifest.version)) return { warning: present ? `is not part of OneRoster ${manifest.version} CSV; ignored` : undefined };
  if (mode === 'absent' || mode === undefined) return { warning: present ? `is in the package but the manifest ${mode ? 'says absent' : 'does not list it'}; ignored` : undefined };
  return { mode };
}

const isEntity = (target: CsvFileSpec['target']): target is EntityName => target !== 'roles' && target !== 'userProfiles';

async function orgTypes(trx: Knex.Transaction, tenant: string): Promise<Map<string, string>> {
  const res = await trx.raw('select sourced_id, type from orgs where tenant_id = ?', [tenant]);
  return new Map(res.rows.map((r: { sourced_id: string; type: string }) => [r.sourced_id, r.type]));
}

/** Applies one file inside its own savepoint; a file that cannot be parsed imports nothing. */
async function importFile(job: Job, spec: CsvFileSpec, mode: 'bulk' | 'delta', read: FileRead | undefined): Promise<FileReport> {
  const report = emptyFile(spec.file, mode, 'imported');
  const mark = job.log.mark();
  const problem: Report = (p) => {
    report.problems++;
    job.log.add(p);
  };
  try {
    await job.trx.transaction(async (sp) => {
      if (read) await applyEntity({ ...job, trx: sp }, read, mode, report, problem);
      else await foldIntoUsers(job, spec, report, problem);
    });
  } catch (e) {
    if (!(e instanceof CsvFormatError)) throw e;
    job.log.rewind(mark); // row problems of a file that imports nothing would only mislead
    Object.assign(report, emptyFile(spec.file, mode, 'failed'));
    problem({ file: spec.file, line: e.line, column: e.column, message: `${e.message}; nothing from this file was imported` });
    if (spec.target === 'roles') job.ctx.rolesByUser.clear();
    if (spec.target === 'userProfiles') job.ctx.profilesByUser.clear();
  } finally {
    await read?.release();
  }
  return report;
}

/** Records one problem of the file being imported. */
type Report = (p: Problem) => void;

/**
 * Stages the file's rows as they are read (or were read ahead), then checks them as a set and
 * merges them. The row problems found while reading come first, then duplicates, then references.
 */
async function applyEntity(job: Job, read: FileRead, mode: 'bulk' | 'delta', report: FileReport, problem: Report) {
  const { spec } = read;
  const stage = new EntityStage(job.trx, read.entity, job.opts.tenant, job.source, job.ts);
  await stage.reset();
  await stage.load((await read.spool).batches());
  const { rows, unstaged, problems, columns, gathered } = await read.done;
  report.rows = rows;
  report.problems += problems.count;
  job.log.absorb(problems);
  await stage.seal();
  for (const d of await stage.duplicates()) {
    problem({ file: spec.file, line: d.line, column: 1, field: 'sourcedId', value: d.sid, message: `duplicates the sourcedId of line ${d.first}; skipped` });
  }
  for (const b of await stage.brokenReferences(gathered)) {
    problem({ file: spec.file, line: b.line, column: columns?.columnOf(b.field), field: b.field, value: b.id, message: `refers to an unknown record; skipped` });
  }
  const counts = await stage.apply();
  const swept = mode === 'bulk' && !(await holdsSweep(job, stage, spec, report, problem)) ? await stage.sweep() : 0;
  Object.assign(report, { ...counts, tombstoned: counts.tombstoned + swept, skipped: unstaged + stage.rejected });
  job.opts.onProgress?.(spec.file, report.rows);
}

/** Whether a bulk file's sweep must wait: it would tombstone more than the threshold of the source's records. */
async function holdsSweep(job: Job, stage: EntityStage, spec: CsvFileSpec, report: FileReport, problem: Report): Promise<boolean> {
  const threshold = job.opts.tombstoneThreshold;
  if (threshold === undefined) return false;
  const preview = await stage.sweepPreview();
  const share = preview.of ? preview.wouldTombstone / preview.of : 0;
  if (preview.wouldTombstone === 0 || share <= threshold) return false;
  report.held = preview;
  problem({
    file: spec.file,
    message: `would tombstone ${preview.wouldTombstone} of ${preview.of} records (${(share * 100).toFixed(1)}%, above the ${(threshold * 100).toFixed(0)}% safety threshold); nothing was deleted. If upstream really removed them, run the sync again allowing deletions`,
  });
  return true;
}

/** 1.2 roles.csv / userProfiles.csv: gathered by user, attached when users.csv is read. */
async function foldIntoUsers(job: Job, spec: CsvFileSpec, report: FileReport, problem: Report) {
  const target = spec.target === 'roles' ? job.ctx.rolesByUser : job.ctx.profilesByUser;
  const seen = new Map<string, number>();
  for await (const { row, reader, metadataColumns } of rowsOf(job, spec)) {
    report.rows++;
    const { sid, status, data, ok } = readRow(reader, spec, job.ctx, row, metadataColumns);
    reader.problems.forEach(problem);
    if (sid !== undefined && seen.has(sid)) {
      problem({ file: spec.file, line: row.line, column: 1, field: 'sourcedId', value: sid, message: `duplicates the sourcedId of line ${seen.get(sid)}; skipped` });
      report.skipped++;
      continue;
    }
    if (sid !== undefined) seen.set(sid, row.line);
    if (!ok || !data) {
      if (!ok) report.skipped++;
      continue;
    }
    const user = data.userSourcedId as string;
    const item = (data.role ?? data.profile) as Record<string, unknown>;
    const list = target.get(user) ?? [];
    list.push(item);
    target.set(user, list);
    report.unchanged++; // counted on users.csv, where they land
  }
}

function finish(
  opts: ImportOptions, pkg: CsvPackage, manifest: Manifest | undefined, started: Date, tenantCreated: boolean, files: FileReport[], log: ProblemLog,
): ImportReport {
  const finished = new Date();
  const failed = !manifest || (files.length > 0 && files.every((f) => f.outcome !== 'imported'));
  for (const f of pkg.files) {
    const base = f.replace(/\.csv$/i, '');
    if (f !== 'manifest.csv' && !CSV_FILES.some((s) => s.file === f)) {
      log.add({ file: f, severity: 'warning', message: NOT_ROSTERING.includes(base) ? 'is not rostering data (gradebook/resources); ignored' : 'is not a OneRoster CSV file; ignored' });
    }
  }
  return {
    tenant: opts.tenant,
    tenantCreated,
    source: opts.source ?? 'csv',
    package: pkg.name,
    version: manifest?.version ?? '1.1',
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    outcome: failed ? 'failed' : log.errors > 0 ? 'partial' : 'succeeded',
    files,
    problems: log.kept,
    problemsNotShown: log.notShown,
  };
}
