import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { CSV_FILES } from '../../src/ingest/csv/files/index.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { openCsvPackage } from '../../src/ingest/csv/package-source.js';
import { ParseThread } from '../../src/ingest/csv/parse-thread.js';
import { ProblemLog } from '../../src/ingest/csv/problems.js';
import { readInto, THREAD_FROM_BYTES } from '../../src/ingest/csv/read-file.js';
import type { ImportReport } from '../../src/ingest/csv/report.js';
import { Spool } from '../../src/ingest/csv/spool.js';
import { ENTITIES } from '../../src/model/entities.js';
import type { Database } from '../../src/store/db.js';
import { fixturePackage } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';
import { zipFolder } from '../helpers/zip-folder.js';

/**
 * The fixture with problems in the files a worker thread parses: row problems (placed by column),
 * a repeated sourcedId, broken references, a tombstone and an extension column.
 */
const troubled = () =>
  fixturePackage({
    'enrollments.csv': (old) => {
      const [header, ...rows] = old.trimEnd().split('\n');
      return [
        `${header},metadata.room`,
        ...rows.map((r, i) => `${r},R${i}`),
        'enr-1,,,cls-2,org-s2,usr-s2,student,false,,,dup',
        'enr-7,,,cls-404,org-s1,a1,student,false,,,',
        'enr-8,,,cls-1,org-s1,a1,pupil,false,,,',
        'enr-9,,,cls-1,org-s1,usr-nobody,student,false,,,',
        'enr-10,tobedeleted,,cls-1,org-s1,a1,student,false,,,',
        '',
      ].join('\n');
    },
    'classes.csv': (old) => `${old}cls-4,,,Art - 1,05,crs-1,ART-1,lecture,Room 3,org-s1,as-t1,Art,,1\n`,
    'demographics.csv': (old) => `${old}usr-s2,,,2012-13-40,male,,,,,,,,,,,\n`,
  });

/** The report without what differs from one import to the next (tenant, times). */
const comparable = (r: ImportReport) => ({ outcome: r.outcome, files: r.files, problems: r.problems, notShown: r.problemsNotShown });

/** Every record of a tenant: sourcedId, status, hash and record, by table. */
async function records(db: Database, tenant: string) {
  const out: Record<string, unknown[]> = {};
  for (const def of Object.values(ENTITIES)) {
    out[def.table] = (await db.knex.raw(`select sourced_id, status, content_hash, data from ${def.table} where tenant_id = ? order by sourced_id`, [tenant])).rows;
  }
  return out;
}

describe('the parse thread', () => {
  test('reads a file into a spool exactly as the main thread does: batches, rows, problems, columns and referenced ids', async () => {
    const dir = troubled();
    const pkg = await openCsvPackage(dir);
    const spec = CSV_FILES.find((s) => s.file === 'enrollments.csv')!;
    const ctx = { version: '1.1' as const, orgTypes: new Map(), rolesByUser: new Map(), profilesByUser: new Map() };
    const here: string[] = [];
    const main = await readInto({ format: 'copy', pkg, ctx, log: new ProblemLog(1000) }, spec, 'enrollments', { append: async (b) => void here.push(b) }, new AbortController().signal);
    pkg.close();

    const thread = new ParseThread();
    const spool = await Spool.create();
    const progress: number[] = [];
    try {
      const request = { location: dir, file: 'enrollments.csv', entity: 'enrollments' as const, format: 'copy' as const, version: '1.1' as const, cap: 1000 };
      const onThread = await thread.read(request, spool, (file, rows) => progress.push(rows));
      spool.end();
      const batches: string[] = [];
      for await (const b of spool.batches()) batches.push(b.toString('utf8'));
      assert.equal(batches.join(''), here.join(''), 'the same encoded rows');
      assert.equal(onThread.rows, main.rows);
      assert.equal(onThread.rows, 11);
      assert.equal(onThread.unstaged, main.unstaged);
      assert.deepEqual(onThread.problems.kept, main.problems.kept);
      assert.ok(onThread.problems.kept.some((p) => p.field === 'role' && p.line === 10 && p.column === 7), 'the bad role, placed');
      assert.equal(onThread.problems.errors, main.problems.errors);
      assert.equal(onThread.columns?.columnOf('metadata.room'), 11);
      assert.deepEqual(onThread.gathered.map((s) => s && [...s].sort()), main.gathered.map((s) => s && [...s].sort()));
      assert.ok(onThread.gathered[0]?.has('cls-404'));
      assert.deepEqual(progress.at(-1), 11);
    } finally {
      await thread.close();
      await spool.dispose();
    }
  });

  test('a file that cannot be parsed fails its read with the line, and the thread goes on to the next file', async () => {
    const dir = fixturePackage({ 'classes.csv': (old) => old.replace('Algebra I', '"Algebra I') });
    const thread = new ParseThread();
    const spools = [await Spool.create(), await Spool.create()];
    try {
      const base = { location: dir, format: 'copy' as const, version: '1.1' as const, cap: 1000 };
      const broken = thread.read({ ...base, file: 'classes.csv', entity: 'classes' }, spools[0]!);
      const next = thread.read({ ...base, file: 'demographics.csv', entity: 'demographics' }, spools[1]!);
      await assert.rejects(broken, (e: Error & { line?: number }) => /cannot be parsed as CSV/.test(e.message) && e.line === 3);
      assert.equal((await next).rows, 3);
    } finally {
      await thread.close();
      for (const s of spools) await s.dispose();
    }
  });

  test('a read asked for before its spool exists keeps its place in the order: its batches wait for the spool', async () => {
    const dir = fixturePackage({});
    const thread = new ParseThread();
    const spools = [await Spool.create(), await Spool.create()];
    try {
      const base = { location: dir, format: 'copy' as const, version: '1.1' as const, cap: 1000 };
      let giveSpool!: (s: Spool) => void;
      const progress: string[] = [];
      const onProgress = (file: string) => void (progress.at(-1) === file || progress.push(file));
      const first = thread.read({ ...base, file: 'classes.csv', entity: 'classes' }, new Promise<Spool>((r) => (giveSpool = r)), onProgress);
      const second = thread.read({ ...base, file: 'demographics.csv', entity: 'demographics' }, spools[1]!, onProgress);
      assert.equal((await second).rows, 3);
      assert.deepEqual(progress, ['classes.csv', 'demographics.csv'], 'parsed in the order asked');
      giveSpool(spools[0]!);
      assert.equal((await first).rows, 3);
      spools[0]!.end();
      const batches: string[] = [];
      for await (const b of spools[0]!.batches()) batches.push(b.toString('utf8'));
      assert.match(batches.join(''), /\tcls-1\t/);
    } finally {
      await thread.close();
      for (const s of spools) await s.dispose();
    }
  });

  test('close() stops a read waiting for its batches to be spooled, and the read fails', async () => {
    const thread = new ParseThread();
    const spool = { append: () => new Promise<void>(() => {}) }; // never spools: the thread stops at IN_FLIGHT batches and waits
    const many = fixturePackage({
      'enrollments.csv': (old) => old + Array.from({ length: 40_000 }, (_, i) => `enr-x${i},,,cls-1,org-s1,a1,student,false,,\n`).join(''),
    });
    let progressed = 0;
    const read = thread.read({ location: many, file: 'enrollments.csv', entity: 'enrollments', format: 'copy', version: '1.1', cap: 1000 }, spool, () => progressed++);
    read.catch(() => {});
    while (progressed === 0) await new Promise((r) => setTimeout(r, 5));
    await thread.close();
    await assert.rejects(read, /stopped/);
  });
});

describe('reading on the main thread', () => {
  test('a file read ahead leaves the event loop turns while it is parsed, so the statements of the file before go out meanwhile', async () => {
    const rows = 20_000; // about 1.8 MB: 28 chunks of 64 KB
    const dir = fixturePackage({
      'enrollments.csv': (old) => old + Array.from({ length: rows }, (_, i) => `enr-x${i},,,cls-1,org-s1,a1,student,false,,\n`).join(''),
    });
    const pkg = await openCsvPackage(dir);
    const spec = CSV_FILES.find((s) => s.file === 'enrollments.csv')!;
    const ctx = { version: '1.1' as const, orgTypes: new Map(), rolesByUser: new Map(), profilesByUser: new Map() };
    let done = false;
    let turns = 0;
    const counting = (async () => {
      while (!done) {
        await nextTurn();
        turns++;
      }
    })();
    try {
      const read = await readInto({ format: 'copy', pkg, ctx, log: new ProblemLog(1000) }, spec, 'enrollments', { append: async () => {} }, new AbortController().signal);
      assert.ok(read.rows > rows);
    } finally {
      done = true;
      await counting;
      pkg.close();
    }
    // A turn every YIELD_EVERY (50) rows is about 400; with turns only between chunks and batches, 17.
    assert.ok(turns >= rows / 100, `the event loop turned ${turns} times while ${rows} rows were read`);
  });
});

for (const engine of engines()) {
  describe(`importing with the parse thread (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
    });
    after(async () => {
      await db.close();
    });

    test('a package parsed on the worker thread imports as one parsed on the main thread: the same report, the same records', async () => {
      const dir = troubled();
      const threadSeen = { here: false, there: false };
      /** Whether a worker thread's message port is open while the import reads its files. */
      const watch = (side: keyof typeof threadSeen) => () => {
        threadSeen[side] ||= process.getActiveResourcesInfo().includes('MessagePort');
      };
      const here = await importCsv(db.knex, { location: dir, tenant: 'here', threadFromBytes: Number.POSITIVE_INFINITY, onProgress: watch('here') });
      const there = await importCsv(db.knex, { location: dir, tenant: 'there', threadFromBytes: 0, onProgress: watch('there') });
      assert.deepEqual(threadSeen, { here: false, there: true });
      assert.equal(here.outcome, 'partial');
      assert.ok(here.problems.some((p) => p.file === 'enrollments.csv' && p.value === 'cls-404'), 'the broken reference is reported');
      assert.ok(here.problems.some((p) => p.file === 'enrollments.csv' && p.field === 'sourcedId' && p.value === 'enr-1'), 'the repeated sourcedId is reported');
      assert.deepEqual(comparable(there), comparable(here));
      assert.deepEqual(await records(db, 'there'), await records(db, 'here'));
    });

    test('by default a large file is parsed on the thread only when the database runs on the main thread (PGlite)', async () => {
      const pad = 'x'.repeat(400);
      const rows = Math.ceil(THREAD_FROM_BYTES / 440);
      const large = fixturePackage({
        'enrollments.csv': (old) => {
          const [header, ...lines] = old.trimEnd().split('\n');
          return [`${header},metadata.pad`, ...lines.map((l) => `${l},`), ...Array.from({ length: rows }, (_, i) => `enr-p${i},,,cls-1,org-s1,a1,student,false,,,${pad}`), ''].join('\n');
        },
      });
      assert.ok(fs.statSync(path.join(large, 'enrollments.csv')).size >= THREAD_FROM_BYTES);
      let threadSeen = false;
      const onProgress = () => {
        threadSeen ||= process.getActiveResourcesInfo().includes('MessagePort');
      };
      const r = await importCsv(db.knex, { location: large, tenant: 'large', onProgress });
      assert.equal(r.outcome, 'succeeded');
      assert.equal(threadSeen, engine.name === 'pglite');
    });

    test('a package of small files is read without a thread', async () => {
      let threadSeen = false;
      const onProgress = () => {
        threadSeen ||= process.getActiveResourcesInfo().includes('MessagePort');
      };
      const r = await importCsv(db.knex, { location: fixturePackage(), tenant: 'small', onProgress });
      assert.equal(r.outcome, 'succeeded');
      assert.equal(threadSeen, false);
    });

    test('a zip package is parsed on the thread too', async () => {
      const zip = await zipFolder(troubled(), path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zip-')), 'pkg.zip'));
      const here = await importCsv(db.knex, { location: zip, tenant: 'zhere', threadFromBytes: Number.POSITIVE_INFINITY });
      const there = await importCsv(db.knex, { location: zip, tenant: 'zthere', threadFromBytes: 0 });
      assert.deepEqual(comparable(there), comparable(here));
      assert.deepEqual(await records(db, 'zthere'), await records(db, 'zhere'));
    });

    test('an import that fails while the thread reads changes nothing, and a thread-parsed file that cannot be parsed fails alone', async () => {
      const ok = await importCsv(db.knex, { location: fixturePackage(), tenant: 'fail', threadFromBytes: 0 });
      assert.equal(ok.outcome, 'succeeded');
      const before = await records(db, 'fail');
      const edited = fixturePackage({ 'users.csv': (old) => old.replace('Chloe', 'Chloë') });
      const stopAt = (f: string) => {
        if (f === 'demographics.csv') throw new Error('stopped by the test');
      };
      await assert.rejects(importCsv(db.knex, { location: edited, tenant: 'fail', threadFromBytes: 0, onProgress: stopAt }), /stopped by the test/);
      assert.deepEqual(await records(db, 'fail'), before);

      const broken = fixturePackage({ 'enrollments.csv': (old) => old.replace('enr-3,', '"enr-3,') });
      const r = await importCsv(db.knex, { location: broken, tenant: 'fail', threadFromBytes: 0 });
      const enrollments = r.files.find((f) => f.file === 'enrollments.csv')!;
      assert.equal(enrollments.outcome, 'failed');
      assert.ok(r.problems.some((p) => p.file === 'enrollments.csv' && p.line === 4 && /nothing from this file was imported/.test(p.message)));
      assert.equal(r.files.find((f) => f.file === 'demographics.csv')!.outcome, 'imported');
    });
  });
}
