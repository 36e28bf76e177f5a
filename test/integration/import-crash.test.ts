import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { importCsv } from '../../src/ingest/csv/import.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { FIXTURE_1P1, fixturePackage } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';
import { changedKeys, snapshot } from '../helpers/store-snapshot.js';

const CHILD = path.resolve(import.meta.dirname, '../helpers/import-child.ts');

/** The fixture with its users changed and 60,000 more enrollments: big enough to kill mid-way. */
function bigPackage(): string {
  const rows: string[] = [];
  for (let i = 0; i < 60_000; i++) rows.push(`enr-big-${i},,,cls-${(i % 3) + 1},org-s${(i % 3) + 1},a1,student,false,,`);
  return fixturePackage({
    'users.csv': (old) => old.replace('Okafor', 'Okafor-Changed'),
    'enrollments.csv': (old) => `${old}${rows.join('\n')}\n`,
  });
}

/** Starts the child import and kills it with SIGKILL once it is inside the enrollments file. */
function importAndKill(target: string, pkg: string, tenant: string, tmpdir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, target, pkg, tenant], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmpdir } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/enrollments\.csv [1-9]\d{4}/.test(out)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(out) : reject(new Error(`child was not killed mid-import (exit ${code}): ${out}\n${err}`))));
  });
}

describe('an import killed with SIGKILL leaves the store as it was', () => {
  for (const engine of engines()) {
    test(engine.name, async () => {
      let reopen: () => Promise<Database>;
      let target: string;
      let closeAll = async () => {};
      if (engine.name === 'pglite') {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-crash-'));
        target = dir;
        reopen = async () => openDatabase({ dataDir: dir, command: 'test' });
        closeAll = async () => fs.rmSync(dir, { recursive: true, force: true });
      } else {
        const db = (await engine.open()) as Database & { url: string };
        target = db.url;
        reopen = async () => openDatabase({ databaseUrl: db.url });
        closeAll = () => db.close();
      }
      try {
        let db = await reopen();
        await migrate(db);
        assert.equal((await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'crash' })).outcome, 'succeeded');
        const before = await snapshot(db.knex, 'crash');
        await db.close();

        const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-crash-tmp-'));
        const out = await importAndKill(target, bigPackage(), 'crash', tmpdir);
        assert.match(out, /users\.csv 7/, 'the child had read users.csv before it was killed');
        assert.deepEqual(fs.readdirSync(tmpdir).filter((f) => f.startsWith('rollcall-import-')), [], 'the killed importer left no spool behind');
        fs.rmSync(tmpdir, { recursive: true, force: true });

        db = await reopen();
        assert.deepEqual(changedKeys(before, await snapshot(db.knex, 'crash')), []);
        assert.equal((await db.knex.raw(`select count(*)::int as n from import_runs where tenant_id = 'crash'`)).rows[0].n, 1);
        // And the store still works: the same import now runs to the end.
        const r = await importCsv(db.knex, { location: bigPackage(), tenant: 'crash' });
        assert.equal(r.files.find((f) => f.file === 'enrollments.csv')!.created, 60_000);
        await db.close();
      } finally {
        await closeAll();
      }
    });
  }
});
