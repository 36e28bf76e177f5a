import type { Knex } from 'knex';
import type pg from 'pg';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Rows for Postgres's COPY … FROM STDIN in its text format: fields separated by tabs, rows by
 * newlines, null as \N, and backslash, tab, newline and carriage return escaped. pg-copy-streams
 * carries the bytes; it leaves encoding to the caller, and the format is these four escapes, so it
 * is written here rather than through a row-encoding library.
 */
export type CopyValue = string | number | boolean | null | undefined;

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyField(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const s = String(v);
  return SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : s;
}

/**
 * JSON text from JSON.stringify as a COPY field. JSON escapes every control character, so of the
 * four only the backslash can occur: one search instead of a pattern over the whole text.
 */
export function copyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** What needs escaping inside an array element or as a COPY field: without it an id is written as it is. */
const ARRAY_SPECIAL = /[\\"\t\n\r]/;

/** A text[] value: an array literal with every element quoted, then escaped as a COPY field. */
export function copyTextArray(items: string[]): string {
  if (!items.some((s) => ARRAY_SPECIAL.test(s))) return items.length ? `{"${items.join('","')}"}` : '{}';
  return copyField(`{${items.map((s) => `"${s.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`);
}

/** Whether this knex talks to a Postgres server through node-postgres (COPY FROM STDIN needs its connection). */
export function canCopy(knex: Knex): boolean {
  return knex.client.config.client === 'pg';
}

/**
 * One `COPY <target> FROM STDIN` kept open while its rows are produced, on the connection of the
 * given transaction: Postgres takes in each batch as the next is prepared, with no round trip per
 * batch. write() hands a batch (encoded rows, each ending in a newline) to the connection and
 * returns once the batch before it has gone out, so at most one batch waits in memory.
 */
export class CopyIn {
  private drained: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  private constructor(
    private readonly stream: Writable,
    private readonly done: Promise<void>,
  ) {}

  static async open(trx: Knex.Transaction, target: string): Promise<CopyIn> {
    const conn = (await trx.client.acquireConnection()) as pg.PoolClient;
    const stream = conn.query(copyFrom(`copy ${target} from stdin`));
    const copy: CopyIn = new CopyIn(stream, finished(stream));
    copy.done.catch((e: Error) => {
      copy.failure = e;
    });
    return copy;
  }

  async write(lines: string | Buffer): Promise<void> {
    await this.drained;
    if (this.failure) throw this.failure;
    if (this.stream.write(lines)) return;
    this.drained = new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }

  /** Ends the COPY; resolves when Postgres has taken in every row. */
  async end(): Promise<void> {
    this.stream.end();
    await this.done;
  }

  /** Abandons the COPY (Postgres discards it) and waits until the connection is free again. */
  async abort(reason: Error): Promise<void> {
    this.stream.destroy(reason);
    await this.done.catch(() => {});
  }
}
