import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { Spool } from '../../src/ingest/csv/spool.js';

const BATCHES = ['a\tb\n', 'ünïcödé ✓\n'.repeat(3), 'x'.repeat(70_000), 'last\n'];

async function readAll(spool: Spool): Promise<string[]> {
  const out: string[] = [];
  for await (const b of spool.batches()) out.push(b.toString('utf8'));
  return out;
}

/** The spool's folder: the only rollcall-import- folder under a temporary folder of its own. */
function withTmpdir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return fn(dir).finally(() => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

describe('spool', () => {
  const created: Spool[] = [];
  const newSpool = async () => {
    const spool = await Spool.create();
    created.push(spool);
    return spool;
  };
  afterEach(async () => {
    for (const spool of created.splice(0)) await spool.dispose();
  });

  test('a reader starting after the writer has finished gets every batch in order', async () => {
    const spool = await newSpool();
    for (const b of BATCHES) await spool.append(b);
    spool.end();
    assert.deepEqual(await readAll(spool), BATCHES);
  });

  test('a reader following the writer gets every batch in order, whether it waits in memory or on disk', async () => {
    const spool = await newSpool();
    const reading = readAll(spool);
    const many = Array.from({ length: 40 }, (_, i) => `batch ${i} ${'é'.repeat(i * 100)}\n`);
    for (const [i, b] of many.entries()) {
      await spool.append(b);
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1)); // let the reader catch up now and then
    }
    spool.end();
    assert.deepEqual(await reading, many);
  });

  test('a reader joining midway reads the batches on disk, then the ones after them', async () => {
    const spool = await newSpool();
    await spool.append(BATCHES[0]!);
    await spool.append(BATCHES[1]!);
    const reading = readAll(spool);
    await spool.append(BATCHES[2]!);
    await spool.append(BATCHES[3]!);
    spool.end();
    assert.deepEqual(await reading, BATCHES);
  });

  test("the writer's failure reaches the reader after the batches written before it", async () => {
    const spool = await newSpool();
    await spool.append('one\n');
    spool.fail(new Error('line 12: broken quote'));
    const got: string[] = [];
    await assert.rejects(async () => {
      for await (const b of spool.batches()) got.push(b.toString());
    }, /broken quote/);
    assert.deepEqual(got, ['one\n']);
  });

  test('leaves nothing in the temporary folder, even before it is disposed', () =>
    withTmpdir(async (dir) => {
      const spool = await newSpool();
      await spool.append('row\n');
      assert.deepEqual(fs.readdirSync(dir), [], 'the open file has no name');
      spool.end();
      assert.deepEqual(await readAll(spool), ['row\n']);
    }));

  test('on Linux its file never has a name, so a process killed at any moment leaves none behind', { skip: process.platform !== 'linux' && 'Linux only (O_TMPFILE)' }, () =>
    withTmpdir(async (dir) => {
      await newSpool();
      const open = fs.readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          return [fs.readlinkSync(`/proc/self/fd/${fd}`)];
        } catch {
          return [];
        }
      });
      const inDir = open.filter((target) => target.startsWith(`${dir}/`));
      assert.equal(inDir.length, 1, 'the spool is open in the temporary folder');
      assert.doesNotMatch(inDir[0]!, /rollcall-import-/, 'it was opened without a name, not named and then unlinked');
    }));
});
