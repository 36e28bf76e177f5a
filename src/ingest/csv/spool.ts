import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Linux's O_TMPFILE (with O_DIRECTORY, as the kernel defines it on x86-64 and arm64): open a
 * folder as a new file of it that has no name. Node does not export the constant.
 */
const O_TMPFILE = 0o20200000;

/** A new file in `dir` without a name, where the system can make one; undefined elsewhere. */
async function openUnnamed(dir: string): Promise<fs.FileHandle | undefined> {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return undefined;
  return fs.open(dir, O_TMPFILE | fsConstants.O_RDWR, 0o600).catch(() => undefined);
}

/** Batches passed in memory at most, once the reader has caught up with the writer. */
const MEMORY_BATCHES = 2;

/**
 * Batches of encoded rows on their way from the CSV parser to the stage: one writer appends them
 * as a file is parsed, one reader takes them in order, waiting for the writer when it has caught
 * up. The importer parses the next file into a spool while the database applies the file before
 * it: the batches wait in a temporary file, not in memory (a whole file of them would not fit the
 * importer's budget at a large district). Once the reader has caught up, batches pass in memory,
 * at most MEMORY_BATCHES at a time; a batch is kept in memory only when no batch on disk is still
 * unread, so the reader takes those in memory first. On disk each batch is its UTF-8 byte length
 * (4 bytes) and its bytes.
 */
export class Spool {
  private written = 0;
  private read = 0;
  private reading = false;
  private readonly inMemory: Buffer[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly file: fs.FileHandle,
    /** Where the file still has a name: only where an open file cannot be unlinked (Windows). */
    private readonly name: string | undefined,
  ) {}

  /**
   * A new spool: a file under the system's temporary folder that has no name there, so the system
   * frees it when the handle is closed or the process ends, even when the process is killed. On
   * Linux it is opened without a name at all (O_TMPFILE); elsewhere, or where the folder's file
   * system cannot do that, it is created with a name and unlinked at once, which leaves a moment
   * in which a killed process would leave the named file behind.
   */
  static async create(): Promise<Spool> {
    const unnamed = await openUnnamed(os.tmpdir());
    if (unnamed) return new Spool(unnamed, undefined);
    const name = path.join(os.tmpdir(), `rollcall-import-${randomUUID()}`);
    const file = await fs.open(name, 'wx+', 0o600);
    const unlinked = await fs.unlink(name).then(
      () => true,
      () => false,
    );
    return new Spool(file, unlinked ? undefined : name);
  }

  /** Appends a batch: text, or its UTF-8 bytes (which the spool then owns). */
  async append(batch: string | Buffer): Promise<void> {
    const body = typeof batch === 'string' ? Buffer.from(batch, 'utf8') : batch;
    if (this.reading && this.read === this.written && this.inMemory.length < MEMORY_BATCHES) {
      this.inMemory.push(body);
      this.notify();
      return;
    }
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    await this.file.writev([head, body], this.written);
    this.written += head.length + body.length;
    this.notify();
  }

  /** No more batches: the reader stops after the last one. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** The writer failed: the reader throws `reason` after the batches written before it. */
  fail(reason: Error): void {
    this.failure = reason;
    this.ended = true;
    this.notify();
  }

  /** The batches in the order written, as they are written, as UTF-8 bytes. */
  async *batches(): AsyncGenerator<Buffer> {
    this.reading = true;
    const head = Buffer.alloc(4);
    for (;;) {
      const next = this.inMemory.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.read < this.written) {
        await this.readFully(head, this.read);
        const body = Buffer.allocUnsafe(head.readUInt32BE(0));
        await this.readFully(body, this.read + head.length);
        this.read += head.length + body.length;
        yield body;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Closes the spool, which frees its file. */
  async dispose(): Promise<void> {
    await this.file.close().catch(() => {});
    if (this.name) await fs.rm(this.name, { force: true });
  }

  private async readFully(into: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < into.length) {
      const { bytesRead } = await this.file.read(into, done, into.length - done, position + done);
      if (bytesRead === 0) throw new Error('spool: the file ended before the bytes written to it');
      done += bytesRead;
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
