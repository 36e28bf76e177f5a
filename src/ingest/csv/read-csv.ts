import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { EncodingError, Utf8Check } from './utf8-check.js';

/** A CSV file that cannot be read as a whole: nothing of it may be imported. */
export class CsvFormatError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export type CsvRow = { cells: string[]; line: number };

/**
 * Streams a CSV file as rows of cells with their line numbers (the header is line 1). Quoting
 * follows RFC 4180; a broken quote, a wrong number of cells or a non-UTF-8 byte throws a
 * CsvFormatError naming the line and column.
 */
export async function* readCsv(input: Readable): AsyncGenerator<CsvRow> {
  const check = new Utf8Check();
  const parser = parse({ relax_column_count: false, skip_empty_lines: true, info: true, bom: true, trim: false });
  input.on('error', (e) => check.destroy(e));
  check.on('error', (e) => parser.destroy(e));
  input.pipe(check).pipe(parser);
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { cells: rec.record, line: rec.info.lines };
    }
  } catch (e) {
    throw toFormatError(e);
  } finally {
    input.destroy();
  }
}

function toFormatError(e: unknown): CsvFormatError {
  if (e instanceof EncodingError) return new CsvFormatError(e.message, e.line, e.column);
  const err = e as { code?: string; message?: string; lines?: number; column?: number | string; index?: number };
  if (typeof err.code === 'string' && err.code.startsWith('CSV_')) {
    const reason = err.message?.replace(/^Invalid (Record Length|Closing Quote|Opening Quote)?:?\s*/i, '') ?? err.code;
    const column = typeof err.index === 'number' ? err.index + 1 : undefined;
    return new CsvFormatError(`cannot be parsed as CSV: ${reason}`, err.lines, column);
  }
  return new CsvFormatError(`cannot be read: ${(e as Error).message}`);
}
