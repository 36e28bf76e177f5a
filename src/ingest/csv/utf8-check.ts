import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

/** Thrown when a file is not UTF-8; line and column are 1-based, column counted in characters. */
export class EncodingError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
  ) {
    super(`is not valid UTF-8 (line ${line}, column ${column}); save the file as UTF-8`);
  }
}

/** Length of the longest prefix of `buf` that ends on a character boundary. */
function completePrefix(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? buf.length - back : buf.length;
  }
  return buf.length;
}

/** Byte offset of the first invalid sequence (only called once we know there is one). */
function firstInvalid(buf: Buffer): number {
  let lo = 0;
  let hi = buf.length;
  // The longest valid prefix: isUtf8 is monotone on prefixes cut at character boundaries.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (isUtf8(buf.subarray(0, completePrefix(buf.subarray(0, mid))))) lo = mid;
    else hi = mid - 1;
  }
  return completePrefix(buf.subarray(0, lo));
}

/**
 * Passes bytes through unchanged while checking they are UTF-8 (a leading BOM is dropped), so a
 * wrongly encoded file fails with the line and column of the first bad byte instead of loading mojibake.
 */
export class Utf8Check extends Transform {
  private carry = Buffer.alloc(0);
  private line = 1;
  private lineStart = Buffer.alloc(0); // bytes of the current line seen so far (to count its characters)
  private first = true;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.first && buf.length >= 3) {
      this.first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    const cut = completePrefix(buf);
    const ready = buf.subarray(0, cut);
    this.carry = Buffer.from(buf.subarray(cut));
    if (!isUtf8(ready)) return done(this.locate(ready, firstInvalid(ready)));
    this.track(ready);
    done(null, ready);
  }

  override _flush(done: TransformCallback): void {
    if (this.carry.length) return done(this.locate(this.carry, 0));
    done();
  }

  private track(buf: Buffer): void {
    const last = buf.lastIndexOf(0x0a);
    if (last < 0) {
      this.lineStart = Buffer.concat([this.lineStart, buf]);
      return;
    }
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) this.line++;
    this.lineStart = Buffer.from(buf.subarray(last + 1));
  }

  private locate(buf: Buffer, offset: number): EncodingError {
    this.track(buf.subarray(0, offset));
    return new EncodingError(this.line, this.lineStart.toString('utf8').length + 1);
  }
}
