import { Worker } from 'node:worker_threads';
import type { EntityName } from '../../model/entities.js';
import type { OneRosterVersion } from '../../model/vocab.js';
import type { GatheredIds, StageFormat } from '../../store/stage-encoder.js';
import { ProblemLog, type Problem } from './problems.js';
import { CsvFormatError } from './read-csv.js';
import type { ReadResult } from './read-file.js';
import { RowReader } from './row-reader.js';
import type { Spool } from './spool.js';

/** One file for the thread to read. */
export type ParseRequest = { id: number; location: string; file: string; entity: EntityName; format: StageFormat; version: OneRosterVersion; cap: number };

/** What the thread sends back about a file: its batches in order, its progress, then done or failed. */
export type ParseReply =
  | { t: 'batch'; id: number; bytes: Uint8Array }
  | { t: 'progress'; id: number; rows: number }
  | {
      t: 'done';
      id: number;
      rows: number;
      unstaged: number;
      problems: { cap: number; kept: Problem[]; notShown: number; errors: number };
      index: ReadonlyMap<string, number> | undefined;
      gathered: GatheredIds;
    }
  | { t: 'failed'; id: number; message: string; csv: boolean; line?: number; column?: number };

/** What the thread is told: read a file, a batch has been spooled, or stop. */
export type ParseCommand = ({ t: 'read' } & ParseRequest) | { t: 'ack'; id: number } | { t: 'stop' };

const THREAD_HEAP = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 };

type Pending = {
  file: string;
  spool: Promise<Pick<Spool, 'append'>>;
  onProgress?: (file: string, rows: number) => void;
  /** The batches received so far, appended to the spool one after another. */
  appended: Promise<void>;
  resolve(r: ReadResult): void;
  reject(e: Error): void;
};

/**
 * A worker thread that parses an import's larger files while the main thread parses others and
 * drives the database: the importer's two cores both parse. Files are read one at a time, in the
 * order asked, each with the same readInto as on the main thread; their encoded batches come back
 * as messages, already UTF-8 bytes whose memory moves to this thread without a copy, and go into
 * the file's spool here. The thread sends a few batches ahead at most
 * (it waits for each to be spooled), so neither thread's memory grows with the file.
 */
export class ParseThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly exited: Promise<void>;

  constructor() {
    // Without limits V8 gives the thread a heap as large as the main thread's, and lets it grow
    // (the importer's peak RSS at M: 410-480 MB, against 350-410 MB with them). The thread keeps at most a
    // batch, a few batches in flight and the ids a file names (up to about 60 MB). A 32 MB young
    // generation parsed M's enrollments on the thread in 4.5-5.7 s against 5.5-6.0 s at 16 MB
    // (three interleaved runs of two each; 48 MB was no faster than 32).
    this.worker = new Worker(new URL('./parse-worker-entry.js', import.meta.url), { resourceLimits: THREAD_HEAP });
    this.worker.on('message', (m: ParseReply) => this.receive(m));
    this.exited = new Promise((resolve) => {
      this.worker.on('error', (e) => this.failAll(e));
      this.worker.on('exit', () => {
        this.failAll(new Error('the parse thread stopped'));
        resolve();
      });
    });
  }

  /**
   * Reads a file of the package at `location` into `spool` (which may still be being created),
   * after the files asked for before it.
   */
  read(
    req: Omit<ParseRequest, 'id'>,
    spool: Pick<Spool, 'append'> | Promise<Pick<Spool, 'append'>>,
    onProgress?: (file: string, rows: number) => void,
  ): Promise<ReadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { file: req.file, spool: Promise.resolve(spool), onProgress, appended: Promise.resolve(), resolve, reject });
      this.post({ t: 'read', id, ...req });
    });
  }

  /** Stops the thread (a read still running fails) and waits for it to end. */
  async close(): Promise<void> {
    this.post({ t: 'stop' });
    await this.exited;
  }

  private receive(m: ParseReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.t === 'batch') {
      p.appended = p.appended.then(async () => {
        await (await p.spool).append(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
        this.post({ t: 'ack', id: m.id });
      });
      p.appended.catch((e: Error) => this.settle(m.id, () => p.reject(e)));
    } else if (m.t === 'progress') {
      try {
        p.onProgress?.(p.file, m.rows);
      } catch (e) {
        this.settle(m.id, () => p.reject(e as Error)); // as on the main thread, where it fails the read
      }
    } else if (m.t === 'done') {
      const result: ReadResult = {
        rows: m.rows,
        unstaged: m.unstaged,
        problems: ProblemLog.from(m.problems),
        columns: m.index && new RowReader(p.file, m.index),
        gathered: m.gathered,
      };
      p.appended.then(() => this.settle(m.id, () => p.resolve(result)), nothing);
    } else {
      const error = m.csv ? new CsvFormatError(m.message, m.line, m.column) : new Error(m.message);
      p.appended.then(() => this.settle(m.id, () => p.reject(error)), nothing);
    }
  }

  private settle(id: number, how: () => void): void {
    if (!this.pending.delete(id)) return;
    how();
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) this.settle(id, () => p.reject(e));
  }

  private post(c: ParseCommand): void {
    this.worker.postMessage(c);
  }
}

const nothing = () => {};
