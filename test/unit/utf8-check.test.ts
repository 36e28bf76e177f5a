import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { EncodingError, Utf8Check } from '../../src/ingest/csv/utf8-check.js';

/** Pushes `bytes` through the check in chunks of `size` and returns what came out, or the error. */
async function run(bytes: Buffer, size: number): Promise<string | EncodingError> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: Buffer[] = [];
  try {
    for await (const c of Readable.from(chunks).pipe(new Utf8Check())) out.push(c as Buffer);
    return Buffer.concat(out).toString('utf8');
  } catch (e) {
    return e as EncodingError;
  }
}

const text = 'id,name\n1,Zoë Ångström\n2,李小龍 🎓\n3,Ünal\n';

test('valid UTF-8 passes unchanged whatever the chunking, even with characters split across chunks', async () => {
  for (const size of [1, 2, 3, 5, 7, 64]) assert.equal(await run(Buffer.from(text), size), text, `chunk size ${size}`);
});

test('a leading byte-order mark is dropped', async () => {
  assert.equal(await run(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 2), text);
});

test('the first invalid byte is located by line and character column, whatever the chunking', async () => {
  const bad = Buffer.concat([Buffer.from('id,name\n1,Zoë\n2,Ren'), Buffer.from([0xe9]), Buffer.from('e\n')]); // latin-1 é
  for (const size of [1, 3, 4, 100]) {
    const e = await run(bad, size);
    assert.ok(e instanceof EncodingError, `chunk size ${size}`);
    assert.deepEqual([e.line, e.column], [3, 6]);
  }
});

test('a file ending inside a multi-byte character is invalid', async () => {
  const e = await run(Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xe6, 0x9d])]), 2);
  assert.ok(e instanceof EncodingError);
  assert.deepEqual([e.line, e.column], [2, 3]);
});
