import fs from 'node:fs';
import { once } from 'node:events';

const NEEDS_QUOTES = /[",\n\r]/;

/** RFC 4180 quoting: a cell is quoted only when it holds a comma, a quote or a line break. */
export function csvCell(value: string): string {
  if (!NEEDS_QUOTES.test(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

/** The CSV line of a row, without its line break. */
export function csvLine(cells: readonly string[]): string {
  for (const cell of cells) {
    if (NEEDS_QUOTES.test(cell)) return cells.map(csvCell).join(',');
  }
  return cells.join(',');
}

const CHUNK_BYTES = 1 << 20;
/** A UTF-16 code unit never takes more than 3 bytes in UTF-8. */
const MAX_BYTES_PER_CHAR = 3;

/**
 * One CSV file written row by row through an fs.WriteStream. Each line is encoded straight into a
 * 1 MB chunk, so the row's strings die young and the JS heap stays small. A full chunk is handed
 * to the stream and `row` waits until the stream has written it, then refills the same chunk:
 * one chunk in memory per file, however many rows. Line endings are `\n`, encoding UTF-8.
 */
export class CsvFile {
  private readonly stream: fs.WriteStream;
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** The stream's first error (disk full …); thrown by the next write or by close. */
  private failure: Error | undefined;
  rows = 0;

  private constructor(path: string) {
    this.stream = fs.createWriteStream(path);
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  static async create(path: string, header: readonly string[]): Promise<CsvFile> {
    const file = new CsvFile(path);
    await once(file.stream, 'open');
    file.line(header.join(','));
    return file;
  }

  /**
   * Appends one row (the cells are quoted here). Returns a promise only when a full chunk is being
   * written; `await` the result either way.
   */
  row(cells: readonly string[]): Promise<void> | undefined {
    this.rows++;
    return this.line(csvLine(cells));
  }

  private line(text: string): Promise<void> | undefined {
    const worstCase = (text.length + 1) * MAX_BYTES_PER_CHAR;
    if (this.used + worstCase <= CHUNK_BYTES) {
      this.used += this.chunk.write(text, this.used, 'utf8');
      this.chunk[this.used++] = 0x0a;
      return undefined;
    }
    if (worstCase > CHUNK_BYTES) return this.flush().then(() => this.send(Buffer.from(text + '\n', 'utf8')));
    return this.flush().then(() => this.line(text));
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.send(this.chunk.subarray(0, this.used));
    this.used = 0;
  }

  /** Resolves once the stream has written `bytes` to the file, so their buffer can be reused. */
  private send(bytes: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.stream.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Writes what is left and waits until the file is closed. Returns the number of data rows. */
  async close(): Promise<number> {
    await this.flush();
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'close');
    if (this.failure) throw this.failure;
    return this.rows;
  }
}
