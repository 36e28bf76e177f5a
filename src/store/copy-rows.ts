import type { Knex } from 'knex';
import type pg from 'pg';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
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

/** A text[] value: an array literal with every element quoted, then escaped as a COPY field. */
export function copyTextArray(items: string[]): string {
  return copyField(`{${items.map((s) => `"${s.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`);
}

/** Whether this knex talks to a Postgres server through node-postgres (COPY FROM STDIN needs its connection). */
export function canCopy(knex: Knex): boolean {
  return knex.client.config.client === 'pg';
}

/**
 * Streams already-encoded rows (each ending in a newline) into `COPY <target> FROM STDIN`, on the
 * connection of the given transaction.
 */
export async function copyRows(trx: Knex.Transaction, target: string, lines: string): Promise<void> {
  const conn = (await trx.client.acquireConnection()) as pg.PoolClient;
  await pipeline(Readable.from([lines]), conn.query(copyFrom(`copy ${target} from stdin`)));
}
