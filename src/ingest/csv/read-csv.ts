import { Parser } from 'csv-parse';
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

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * csv-parse's parser, handing on each record as a CsvRow with the line it starts on. It reads the
 * parser's live counters as each record is pushed, which costs nothing per record; csv-parse's own
 * `on_record` context builds an info object per record and doubled the parse time. Those counters
 * give the line a record ends on, and count a quoted CRLF as two lines; so a record's first line
 * is the line after the previous record ends (past any skipped empty lines), and the lines of a
 * record spanning several are counted from the line breaks in its cells.
 */
class LineTaggingParser extends Parser {
  /** The line the last record ended on, counting as an editor does, and the parser's counters then. */
  private lastEnd = 0;
  private seenLines = 0;
  private seenEmpty = 0;

  override push(record: unknown): boolean {
    if (record === null) return super.push(null);
    const cells = record as string[];
    const { lines, empty_lines: empty } = this.info;
    const start = this.lastEnd + 1 + (empty - this.seenEmpty);
    const spansLines = lines - this.seenLines - (empty - this.seenEmpty) > 1;
    this.lastEnd = spansLines ? start + cells.reduce((n, c) => n + (c.match(LINE_BREAK)?.length ?? 0), 0) : start;
    this.seenLines = lines;
    this.seenEmpty = empty;
    return super.push({ cells, line: start } satisfies CsvRow);
  }
}

/**
 * Streams a CSV file as rows of cells with their line numbers (the header is line 1). Quoting
 * follows RFC 4180; a broken quote, a wrong number of cells or a non-UTF-8 byte throws a
 * CsvFormatError naming the line and column.
 */
export async function* readCsv(input: Readable): AsyncGenerator<CsvRow> {
  const check = new Utf8Check();
  const parser = new LineTaggingParser({ relax_column_count: false, skip_empty_lines: true, bom: true, trim: false });
  input.on('error', (e) => check.destroy(e));
  check.on('error', (e) => parser.destroy(e));
  input.pipe(check).pipe(parser);
  try {
    yield* parser as AsyncIterable<CsvRow>;
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
