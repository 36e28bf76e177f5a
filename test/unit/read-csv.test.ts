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
  for (const size of [1, 7, 1000]) {
    const got = await rows('id,name\r\na,"two\r\nlines"\r\nb,plain\r\n\r\nc,3\r\n', size);
    assert.deepEqual(got.map((r) => [r.cells[0], r.line]), [['id', 1], ['a', 2], ['b', 4], ['c', 6]]);
    assert.deepEqual(got.map((r) => r.cells[1]), ['name', 'two\r\nlines', 'plain', '3'], `chunks of ${size} bytes`);
  }
});

test('a file with CR line ends reads as one with LF', async () => {
  const got = await rows('id,name\ra,"x\ry"\rb,2\r', 3);
  assert.deepEqual(got.map((r) => [r.cells, r.line]), [[['id', 'name'], 1], [['a', 'x\ry'], 2], [['b', '2'], 4]]);
});

test('a row with the wrong number of cells names its line', async () => {
  await assert.rejects(rows('id,name\na,"x\ny"\nb\n'), (e: unknown) => e instanceof CsvFormatError && e.line === 4 && /1 cell where the header has 2/.test(e.message));
});

test('a quote inside an unquoted cell is taken as written; a malformed quoted cell fails naming its line', async () => {
  const got = await rows('id,name\na,O"Brien\nb,"say ""hi"""\n');
  assert.deepEqual(got.map((r) => r.cells), [['id', 'name'], ['a', 'O"Brien'], ['b', 'say "hi"']]);
  await assert.rejects(rows('id,name\na,1\nb,"ab"c\nd,2\n'), (e: unknown) => e instanceof CsvFormatError && e.line === 3);
});

test('a quoted cell that is never closed names the line it starts on, also when the file is long', async () => {
  await assert.rejects(rows('id,name\na,1\nb,"open\nc,3\n'), (e: unknown) => e instanceof CsvFormatError && e.line === 3);
  const long = `id,name\na,"open\n${'x,1\n'.repeat(400_000)}`;
  await assert.rejects(rows(long, 1 << 16), (e: unknown) => e instanceof CsvFormatError && e.line === 2 && /not closed/.test(e.message));
});
