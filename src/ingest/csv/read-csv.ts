import Papa from 'papaparse';
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

/** The longest a record may be; past it, an unclosed quote is reported instead of reading the rest of the file into one cell. */
const MAX_RECORD_CHARS = 1 << 20;

/** The file's line ending, from its first line break (CRLF, LF or CR, as csv-parse detected it); undefined until one is seen. */
function lineEnding(text: string, last: boolean): '\r\n' | '\n' | '\r' | undefined {
  const i = text.search(/[\r\n]/);
  if (i < 0) return last ? '\n' : undefined;
  if (text[i] === '\n') return '\n';
  if (i + 1 < text.length) return text[i + 1] === '\n' ? '\r\n' : '\r';
  return last ? '\r' : undefined;
}

/** Line breaks inside a record's cells (quoted ones), as an editor counts them. */
function breaksIn(cells: string[]): number {
  let n = 0;
  for (const c of cells) if (c.includes('\n') || c.includes('\r')) n += c.match(/\r\n|\r|\n/g)!.length;
  return n;
}

/**
 * Streams a CSV file as rows of cells with the line each starts on (the header is line 1). Quoting
 * follows RFC 4180 (a quote inside an unquoted cell is taken as it is); every row must have as many
 * cells as the header; empty lines are skipped. A broken quote, a wrong number of cells or a
 * non-UTF-8 byte throws a CsvFormatError naming the line.
 *
 * Parsing is PapaParse's parser, driven chunk by chunk: it holds back the last, possibly
 * incomplete, record of each chunk and returns the rest at once; it took a fifth of csv-parse's
 * time on the district benchmark's enrollments. Lines are counted here, since it reports offsets.
 */
export async function* readCsv(input: Readable): AsyncGenerator<CsvRow> {
  for await (const rows of readCsvBatches(input)) yield* rows;
}

/**
 * readCsv's rows, a chunk of the file at a time (thousands of rows per array, none empty): one
 * step of the async iteration per chunk instead of one per row, for the importer's hot loop.
 */
export async function* readCsvBatches(input: Readable): AsyncGenerator<CsvRow[]> {
  const check = new Utf8Check();
  input.on('error', (e) => check.destroy(e));
  input.pipe(check);
  let parser: Papa.Parser | undefined; // made once the line ending is known
  let pending = '';
  let line = 1;
  let width: number | undefined;
  /** The complete records of `text` (all of it when `last`), as rows with their lines. */
  const recordsOf = (text: string, last: boolean): CsvRow[] => {
    if (!parser) {
      const newline = lineEnding(text, last);
      if (!newline) {
        pending = text; // the line ending is known at the first line break
        if (pending.length > MAX_RECORD_CHARS) throw new CsvFormatError('cannot be parsed as CSV: no line break in its first 1 MB', 1);
        return [];
      }
      parser = new Papa.Parser({ delimiter: ',', quoteChar: '"', newline });
    }
    const res = parser.parse(text, 0, !last) as { data: string[][]; errors: Array<{ message: string; row?: number }>; meta: { cursor: number } };
    pending = last ? '' : text.slice(res.meta.cursor);
    const broken = res.errors[0];
    /** Fails the file at the broken record, which starts on the line `line` has reached. */
    const fail = () => new CsvFormatError(`cannot be parsed as CSV: ${broken!.message.toLowerCase()}`, line);
    const out: CsvRow[] = [];
    for (let i = 0; i < res.data.length; i++) {
      if (broken && broken.row === i) throw fail();
      const cells = res.data[i]!;
      const start = line;
      line += 1 + breaksIn(cells);
      if (cells.length === 1 && cells[0] === '') continue; // an empty line
      width ??= cells.length;
      if (cells.length !== width) {
        throw new CsvFormatError(`cannot be parsed as CSV: the record has ${cells.length} cell${cells.length === 1 ? '' : 's'} where the header has ${width}`, start);
      }
      out.push({ cells, line: start });
    }
    if (broken) throw fail();
    if (pending.length > MAX_RECORD_CHARS) throw new CsvFormatError('cannot be parsed as CSV: a quoted cell is not closed (the record runs past 1 MB)', line);
    return out;
  };
  try {
    for await (const chunk of check as AsyncIterable<Buffer>) {
      const rows = recordsOf(pending + chunk.toString('utf8'), false);
      if (rows.length) yield rows;
    }
    const rows = recordsOf(pending, true);
    if (rows.length) yield rows;
  } catch (e) {
    throw toFormatError(e);
  } finally {
    input.destroy();
  }
}

function toFormatError(e: unknown): CsvFormatError {
  if (e instanceof CsvFormatError) return e;
  if (e instanceof EncodingError) return new CsvFormatError(e.message, e.line, e.column);
  return new CsvFormatError(`cannot be read: ${(e as Error).message}`);
}
