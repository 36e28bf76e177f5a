import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { CsvFormatError, readCsv, type CsvRow } from '../../src/ingest/csv/read-csv.js';

async function rows(text: string, chunkSize = 7): Promise<CsvRow[]> {
  const chunks: Buffer[] = [];
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += chunkSize) chunks.push(buf.subarray(i, i + chunkSize));
  const out: CsvRow[] = [];
  for await (const row of readCsv(Readable.from(chunks))) out.push(row);
  return out;
}

test('each row carries the line it starts on, counting line breaks inside quoted cells and skipped empty lines', async () => {
  const text = 'id,name\na,"two\nlines"\nb,plain\n\nc,"three\r\nline\ns"\nd,last';
  for (const size of [1, 3, 7, 1000]) {
    const got = await rows(text, size);
    assert.deepEqual(
      got.map((r) => [r.cells[0], r.line]),
      [['id', 1], ['a', 2], ['b', 4], ['c', 6], ['d', 9]],
      `chunks of ${size} bytes`,
    );
    assert.deepEqual(got[1]!.cells, ['a', 'two\nlines']);
    assert.deepEqual(got[3]!.cells, ['c', 'three\r\nline\ns']);
  }
});

test('in a file with CRLF line ends, a quoted CRLF is one line break', async () => {
  const got = await rows('id,name\r\na,"two\r\nlines"\r\nb,plain\r\n\r\nc,3\r\n');
  assert.deepEqual(got.map((r) => [r.cells[0], r.line]), [['id', 1], ['a', 2], ['b', 4], ['c', 6]]);
});

test('a row with the wrong number of cells names its line', async () => {
  await assert.rejects(rows('id,name\na,"x\ny"\nb\n'), (e: unknown) => e instanceof CsvFormatError && e.line === 4);
});
