import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { EntityName } from '../../model/entities.js';
import { contentHash } from '../../store/content-hash.js';
import { canCopy } from '../../store/copy-rows.js';
import { StageEncoder, type GatheredIds, type StageFormat, type StagedRow } from '../../store/stage-encoder.js';
import type { CsvFileSpec, MapContext } from './files/index.js';
import type { CsvPackage } from './package-source.js';
import { ProblemLog } from './problems.js';
import { ParseThread } from './parse-thread.js';
import { CsvFormatError, readCsvBatches, type CsvRow } from './read-csv.js';
import { RowReader } from './row-reader.js';
import { Spool } from './spool.js';

/** What reading a file needs of the import it belongs to. */
export type ReadJob = {
  /** How the stage takes its batches (stageFormatOf the import's database). */
  format: StageFormat;
  pkg: CsvPackage;
  ctx: MapContext;
  /** The import's problem log: a file's own problems are kept within its cap. */
  log: ProblemLog;
  onProgress?: (file: string, rows: number) => void;
  /** Files of at least this many bytes are parsed on a worker thread (ParseThread); none when unset. */
  threadFromBytes?: number;
};

/** What the apply of a file needs besides its rows, known once the whole file is read. */
export type ReadResult = {
  rows: number;
  /** Rows without a usable sourcedId or status: they never reach the stage. */
  unstaged: number;
  /** The file's row problems, in line order. */
  problems: ProblemLog;
  /** The header's columns, to place the problems found later. */
  columns: RowReader | undefined;
  gathered: GatheredIds;
};

/** One entity file being read into a spool, at its turn or ahead of it. */
export type FileRead = {
  spec: CsvFileSpec;
  entity: EntityName;
  /** The file's batches, encoded for the stage, as they are parsed. */
  spool: Promise<Spool>;
  /** Settles when the whole file is read; rejects with CsvFormatError when it cannot be parsed. */
  done: Promise<ReadResult>;
  /** Frees the spool once the file is applied (or has failed). */
  release(): Promise<void>;
};

/**
 * Rows encoded for the stage at a time. A batch's rows are held until it is full, so with 5,000
 * they outlived the young generation's collections, which copied them: S's import spent 190-260
 * ms of the importer's time collecting with 5,000-row batches and 1 MB read chunks, 64-83 ms with
 * 500 and 64 KB (ADR 0002).
 */
const BATCH = 500;

/**
 * Rows read between turns of the event loop. Reading ahead shares the main thread with the apply
 * of the file before, whose statements each wait for the work in hand to be done before they can
 * be sent: 50 rows are under a millisecond of work (250 were 2-5 ms).
 */
const YIELD_EVERY = 50;

/**
 * With an embedded database (PGlite), from this size on (about 45,000 enrollments) a file that can
 * be read ahead is parsed on the worker thread, from the import's start: the thread is ready to
 * parse 240-270 ms after it is started (booting, tsx's loader thread, loading its modules).
 */
export const THREAD_FROM_BYTES = 4 << 20;

/**
 * The size from which a file is parsed on the worker thread, for an import into `knex`'s
 * database. Only an embedded database (PGlite) runs its statements on the main thread, where
 * parsing would take turns with them; a Postgres server works in a process of its own while the
 * main thread parses, and the thread there only added work (it parses with a cold JIT, and a
 * third busy thread shares the two cores with the server's backend and the main thread).
 */
export function threadFromBytesFor(knex: Knex): number {
  return canCopy(knex) ? Number.POSITIVE_INFINITY : THREAD_FROM_BYTES;
}

/**
 * Reads an import's entity files in order, each into a spool, ahead of its turn. On the main
 * thread a file is read once the file before it is read, while the database applies that one: the
 * parsing (the importer's work) and the merge of the file before (the database's) run at once. A
 * file that reads the mapping context (users) waits for the context to be filled as well
 * (contextFilled: in 1.1 once orgs.csv has applied, so users.csv is parsed while classes.csv
 * applies). Files of threadFromBytes or more (PGlite only, threadFromBytesFor) are instead all
 * parsed on a worker thread, one after another from the import's start. close() stops the reads
 * still running and frees every spool not yet released.
 */
export class FileReads {
  private readonly started: FileRead[] = [];
  private ahead: FileRead | undefined;
  /** The reads on the worker thread, all started with the import. */
  private readonly onThread = new Map<CsvFileSpec, FileRead>();
  private readonly thread: ParseThread | undefined;
  private readonly stop = new AbortController();
  private resolveContext = () => {};
  private readonly contextReady = new Promise<void>((resolve) => (this.resolveContext = resolve));

  constructor(
    private readonly job: ReadJob,
    /** The entity files the import will apply, in order. */
    private readonly files: Array<{ spec: CsvFileSpec; entity: EntityName }>,
  ) {
    const threaded = files.filter(({ spec }) => !spec.readsContext && job.pkg.sizeOf(spec.file) >= (job.threadFromBytes ?? Number.POSITIVE_INFINITY));
    if (!threaded.length) return;
    const thread = new ParseThread();
    this.thread = thread;
    for (const { spec, entity } of threaded) {
      const request = { location: job.pkg.name, file: spec.file, entity, format: job.format, version: job.ctx.version, cap: job.log.cap };
      // Asked for here, in file order: the thread reads its files in the order asked, and a file
      // whose turn comes first must not wait behind a larger one (spools open in no set order).
      const spool = Spool.create();
      const result = thread.read(request, spool, job.onProgress);
      this.onThread.set(spec, this.start(spec, entity, () => result, spool));
    }
  }

  /** The read of `spec`'s file: started ahead of its turn, or now. Starts the next file's read ahead when it may be. */
  take(spec: CsvFileSpec): FileRead {
    const k = this.files.findIndex((f) => f.spec === spec);
    const read = this.onThread.get(spec) ?? (this.ahead?.spec === spec ? this.ahead : this.startHere(k, Promise.resolve()));
    if (this.ahead?.spec === spec) this.ahead = undefined;
    const next = this.files[k + 1];
    if (next && !this.onThread.has(next.spec)) this.ahead = this.startHere(k + 1, read.done.then(nothing, nothing));
    return read;
  }

  /** The mapping context is filled (every file that fills it has had its turn): the files that read it may be read. */
  contextFilled(): void {
    this.resolveContext();
  }

  /** Stops any read still running and frees the spools. */
  async close(): Promise<void> {
    this.stop.abort(new Error('the import stopped'));
    this.resolveContext(); // a read still waiting for the context starts, finds the import stopped, and ends
    await this.thread?.close();
    for (const read of this.started) {
      await read.done.catch(nothing);
      await read.release();
    }
  }

  /** A read on this thread, once `after` settles. */
  private startHere(k: number, after: Promise<void>): FileRead {
    const { spec, entity } = this.files[k]!;
    return this.start(spec, entity, async (into) => {
      await after;
      if (spec.readsContext) await this.contextReady;
      this.stop.signal.throwIfAborted();
      return readInto(this.job, spec, entity, into, this.stop.signal);
    });
  }

  /** `spool` (a new one by default) for `spec`'s file, filled by `fill`, then ended (or failed with its error). */
  private start(spec: CsvFileSpec, entity: EntityName, fill: (into: Spool) => Promise<ReadResult>, spool = Spool.create()): FileRead {
    const done = (async () => {
      const into = await spool;
      try {
        const result = await fill(into);
        into.end();
        return result;
      } catch (e) {
        into.fail(e as Error);
        throw e;
      }
    })();
    // Observed by the file's apply; until then (or when the import stops first) not a stray rejection.
    spool.catch(nothing);
    done.catch(nothing);
    const release = async () => (await spool.catch(() => undefined))?.dispose();
    const read = { spec, entity, spool, done, release };
    this.started.push(read);
    return read;
  }
}

const nothing = () => {};

/** Parses, checks and encodes every row of an entity file into `spool` (or what stands for it on the worker thread). */
export async function readInto(
  job: Omit<ReadJob, 'threadFromBytes'>, spec: CsvFileSpec, entity: EntityName, spool: { append(batch: string): Promise<void> }, stop: AbortSignal,
): Promise<ReadResult> {
  const encoder = new StageEncoder(entity, job.format);
  const problems = new ProblemLog(job.log.cap);
  let rows = 0;
  let unstaged = 0;
  let columns: RowReader | undefined;
  let batch: StagedRow[] = [];
  const flush = async () => {
    stop.throwIfAborted();
    if (batch.length) await spool.append(encoder.encode(batch));
    batch = [];
    job.onProgress?.(spec.file, rows);
  };
  for await (const chunk of rowBatchesOf(job, spec)) {
    const reader = chunk.reader;
    columns = reader;
    for (const row of chunk.rows) {
      rows++;
      const { sid, status, data, ok } = readRow(reader, spec, job.ctx, row, chunk.metadataColumns);
      reader.problems.forEach((p) => problems.add(p));
      if (sid === undefined || status === undefined) {
        unstaged++;
        continue;
      }
      if (!ok) batch.push({ line: row.line, sid, status, ok: false });
      else {
        const json = data ? JSON.stringify(data) : undefined;
        const hash = json && contentHash(json);
        batch.push({ line: row.line, sid, status, ok: true, data: json, hash, refs: data && encoder.referencesOf(data) });
      }
      if (batch.length >= BATCH) await flush();
      else if (rows % YIELD_EVERY === 0) await nextTurn();
    }
  }
  await flush();
  return { rows, unstaged, problems, columns, gathered: encoder.gathered };
}

/** Reads the header, checks it against the version's columns, and yields data rows. */
export async function* rowsOf(job: Pick<ReadJob, 'pkg' | 'ctx'>, spec: CsvFileSpec): AsyncGenerator<{ row: CsvRow; reader: RowReader; metadataColumns: string[] }> {
  for await (const { rows, reader, metadataColumns } of rowBatchesOf(job, spec)) for (const row of rows) yield { row, reader, metadataColumns };
}

/** rowsOf's rows, a parsed chunk of the file at a time (readCsvBatches). */
export async function* rowBatchesOf(job: Pick<ReadJob, 'pkg' | 'ctx'>, spec: CsvFileSpec): AsyncGenerator<{ rows: CsvRow[]; reader: RowReader; metadataColumns: string[] }> {
  const batches = readCsvBatches(await job.pkg.open(spec.file));
  const first = await batches.next();
  if (first.done) throw new CsvFormatError('is empty: it needs at least a header row', 1, 1);
  const header = first.value[0]!.cells.map((c) => c.trim());
  const columns = spec.columns[job.ctx.version]!;
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (index.has(name)) throw new CsvFormatError(`has the column "${name}" twice in its header`, 1, i + 1);
    if (!columns.all.includes(name) && !name.startsWith('metadata.')) {
      throw new CsvFormatError(`has an unknown column "${name}" in its header (OneRoster ${job.ctx.version} ${spec.file} has: ${columns.all.join(', ')}; extensions are named metadata.<key>)`, 1, i + 1);
    }
    index.set(name, i);
  });
  const missing = columns.required.filter((c) => !index.has(c));
  if (missing.length) throw new CsvFormatError(`is missing the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in its header`, 1, 1);
  const reader = new RowReader(spec.file, index);
  const metadataColumns = header.filter((h) => h.startsWith('metadata.')).sort();
  if (first.value.length > 1) yield { rows: first.value.slice(1), reader, metadataColumns };
  for await (const rows of batches) yield { rows, reader, metadataColumns };
}

/** Validates one row; returns its sourcedId, status and (for active rows) canonical record. */
export function readRow(reader: RowReader, spec: CsvFileSpec, ctx: MapContext, row: CsvRow, metadataColumns: string[]) {
  reader.reset(row.cells, row.line);
  const sid = reader.id('sourcedId', true);
  const status = readStatus(reader);
  reader.datetime('dateLastModified');
  let data: Record<string, unknown> | undefined;
  if (status === 'active') {
    data = spec.map(reader, ctx);
    const metadata = reader.metadata(metadataColumns);
    if (data && metadata) data.metadata = metadata;
  }
  return { sid, status, data, ok: reader.problems.length === 0 && sid !== undefined && status !== undefined };
}

function readStatus(r: RowReader): 'active' | 'tobedeleted' | undefined {
  const v = r.str('status')?.toLowerCase();
  if (v === undefined || v === 'active') return 'active';
  if (v === 'tobedeleted' || v === 'inactive') return 'tobedeleted'; // 1.0's inactive means tobedeleted
  r.problem('status', r.raw('status'), 'must be active or tobedeleted');
  return undefined;
}
