import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importCsv } from '../../src/ingest/csv/import.js';
import { formatReport, type ImportReport } from '../../src/ingest/csv/report.js';
import type { Database } from '../../src/store/db.js';
import { fixturePackage, FIXTURE_1P1, manifest, packageWith } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';
import { changedKeys, snapshot } from '../helpers/store-snapshot.js';
import { zipFolder } from '../helpers/zip-folder.js';

const file = (r: ImportReport, name: string) => r.files.find((f) => f.file === name)!;
const problemsOf = (r: ImportReport, name: string) => r.problems.filter((p) => p.file === name);

for (const engine of engines()) {
  describe(`OneRoster CSV import (${engine.name})`, () => {
    let db: Database;
    let n = 0;
    /** A fresh tenant holding the fixture, so each test starts from the same store. */
    const seeded = async () => {
      const tenant = `t${++n}`;
      const r = await importCsv(db.knex, { location: FIXTURE_1P1, tenant });
      assert.equal(r.outcome, 'succeeded', formatReport(r));
      return tenant;
    };
    before(async () => {
      db = await engine.open();
    });
    after(async () => {
      await db.close();
    });

    test('a first import creates every record and says it created the tenant', async () => {
      const r = await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'fresh' });
      assert.equal(r.tenantCreated, true);
      assert.equal(r.outcome, 'succeeded');
      assert.deepEqual(
        r.files.map((f) => [f.file, f.created]),
        [['orgs.csv', 4], ['academicSessions.csv', 4], ['courses.csv', 3], ['classes.csv', 3], ['users.csv', 7], ['enrollments.csv', 6], ['demographics.csv', 3]],
      );
      const user = (await db.knex.raw(`select data, role from users where tenant_id = 'fresh' and sourced_id = 'a1'`)).rows[0];
      assert.equal(user.role, 'student');
      assert.equal(user.data.familyName, 'López');
      assert.deepEqual(user.data.agents, [{ sourcedId: 'usr-g1', type: 'user' }]);
      assert.deepEqual(user.data.metadata, { 'microsoft.userFlags': 'IEP,ELL' });
      assert.deepEqual(user.data.roles, [{ roleType: 'primary', role: 'student', org: { sourcedId: 'org-s1', type: 'org' } }]);
      const course = (await db.knex.raw(`select data from courses where tenant_id = 'fresh' and sourced_id = 'crs-3'`)).rows[0];
      assert.equal(course.data.title, 'Biology, Honors');
      assert.deepEqual(course.data.subjects, ['Science', 'Life Science']);
    });

    test('ids and values with quotes, backslashes, braces, commas, tabs and line breaks are stored exactly, and found unchanged again', async () => {
      const cell = (s: string) => `"${s.replace(/"/g, '""')}"`;
      const student = 'usr-"q\\{x},y';
      const guardian = 'g\\"{} ü';
      const given = 'A\tb\nc\\d "e"';
      const pkg = fixturePackage({
        'users.csv': (old) =>
          `${old.trimEnd()}\n` +
          `${cell(guardian)},,,true,org-s1,guardian,g.odd,,Gia,Odd,,,,,,,,,\n` +
          `${cell(student)},,,true,org-s1,student,s.odd,,${cell(given)},Odd,,,,,,${cell(guardian)},05,,"IEP,\\ELL"\n`,
        'enrollments.csv': (old) => `${old.trimEnd()}\nenr-odd,,,cls-1,org-s1,${cell(student)},student,false,,\n`,
      });
      const tenant = `t${++n}`;
      const r = await importCsv(db.knex, { location: pkg, tenant });
      assert.equal(r.outcome, 'succeeded', formatReport(r));
      const user = (await db.knex.raw(`select data from users where tenant_id = ? and sourced_id = ?`, [tenant, student])).rows[0];
      assert.equal(user.data.givenName, given);
      assert.deepEqual(user.data.agents, [{ sourcedId: guardian, type: 'user' }]);
      assert.deepEqual(user.data.metadata, { 'microsoft.userFlags': 'IEP,\\ELL' });
      const enrollment = (await db.knex.raw(`select user_sourced_id from enrollments where tenant_id = ? and sourced_id = 'enr-odd'`, [tenant])).rows[0];
      assert.equal(enrollment.user_sourced_id, student);
      const again = await importCsv(db.knex, { location: pkg, tenant });
      assert.deepEqual(again.files.map((f) => f.created + f.updated), again.files.map(() => 0));
    });

    test('a zip of the same files (in a folder inside the zip) imports the same records', async () => {
      const zip = await zipFolder(FIXTURE_1P1, path.join(os.tmpdir(), `rollcall-${process.pid}-fixture.zip`), 'export-2026-11-23');
      const tenant = `t${++n}`;
      const r = await importCsv(db.knex, { location: zip, tenant });
      assert.equal(r.outcome, 'succeeded', formatReport(r));
      const fromFolder = await snapshot(db.knex, await seeded());
      const fromZip = await snapshot(db.knex, tenant);
      assert.deepEqual([...fromZip.keys()].sort(), [...fromFolder.keys()].sort());
      assert.deepEqual([...fromZip.values()].map((v) => v.hash).sort(), [...fromFolder.values()].map((v) => v.hash).sort());
    });

    test('re-importing the same files changes nothing', async () => {
      const tenant = await seeded();
      const before = await snapshot(db.knex, tenant);
      const r = await importCsv(db.knex, { location: FIXTURE_1P1, tenant });
      assert.equal(r.tenantCreated, false);
      assert.ok(r.files.every((f) => f.created === 0 && f.updated === 0 && f.tombstoned === 0), formatReport(r));
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, tenant)), []);
    });

    test('a delta file changes exactly the rows it names, by their status', async () => {
      const tenant = await seeded();
      const before = await snapshot(db.knex, tenant);
      const pkg = packageWith({ users: 'delta' }, {
        'users.csv': (old) => {
          const [head, ...rows] = old.trim().split('\n');
          const s2 = rows.find((l) => l.startsWith('usr-s2,'))!.replace('Okafor', 'Okafor-Adeyemi');
          const s3 = 'usr-s3,tobedeleted,2026-11-01T00:00:00Z,,,,,,,,,,,,,,,,';
          return [head, s2, s3, rows.find((l) => l.startsWith('a1,'))].join('\n') + '\n';
        },
      });
      const r = await importCsv(db.knex, { location: pkg, tenant });
      assert.equal(r.outcome, 'succeeded', formatReport(r));
      assert.deepEqual(file(r, 'users.csv'), { ...file(r, 'users.csv'), rows: 3, updated: 1, tombstoned: 1, unchanged: 1, created: 0 });
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, tenant)), ['users/usr-s2', 'users/usr-s3']);
      const s3 = (await db.knex.raw(`select status, data from users where tenant_id = ? and sourced_id = 'usr-s3'`, [tenant])).rows[0];
      assert.equal(s3.status, 'tobedeleted');
      assert.equal(s3.data.givenName, 'Chloe', 'a tombstone keeps the record as it was');
    });

    test('a 1.1 administrator is a district or site administrator by the type of their org, from the same package or from the store', async () => {
      const admin = (id: string, org: string) => [id, '', '', 'true', org, 'administrator', id, '', 'Rosa', 'Diaz', ...Array(9).fill('')].join(',');
      const roleOf = async (tenant: string, id: string) =>
        (await db.knex.raw(`select role, data from users where tenant_id = ? and sourced_id = ?`, [tenant, id])).rows[0];
      // orgs.csv brings a new district and makes a school a district: users.csv is read after it has applied.
      const first = fixturePackage({
        'orgs.csv': (old) => `${old.replace('org-s2,,,Maple Middle,school', 'org-s2,,,Maple Middle,district')}org-d2,,,Birch Unified,district,0605678,\n`,
        'users.csv': (old) => `${old.trimEnd()}\n${admin('usr-ad2', 'org-d2')}\n${admin('usr-ad3', 'org-s2')}\n${admin('usr-ad4', 'org-s1')}\n`,
      });
      const r = await importCsv(db.knex, { location: first, tenant: 'admins' });
      assert.equal(r.outcome, 'succeeded', formatReport(r));
      assert.equal((await roleOf('admins', 'usr-ad2')).role, 'districtAdministrator');
      assert.deepEqual((await roleOf('admins', 'usr-ad2')).data.roles, [{ roleType: 'primary', role: 'districtAdministrator', org: { sourcedId: 'org-d2', type: 'org' } }]);
      assert.equal((await roleOf('admins', 'usr-ad3')).role, 'districtAdministrator');
      assert.equal((await roleOf('admins', 'usr-ad4')).role, 'siteAdministrator');
      // A delta of users alone: the org types come from the store.
      const delta = packageWith({ users: 'delta' }, { 'users.csv': (old) => `${old.split('\n')[0]}\n${admin('usr-ad5', 'org-d2')}\n${admin('usr-ad6', 'org-s1')}\n` });
      const d = await importCsv(db.knex, { location: delta, tenant: 'admins' });
      assert.equal(file(d, 'users.csv').created, 2, formatReport(d));
      assert.equal((await roleOf('admins', 'usr-ad5')).role, 'districtAdministrator');
      assert.equal((await roleOf('admins', 'usr-ad6')).role, 'siteAdministrator');
    });

    test('a bulk file missing one user tombstones exactly that user', async () => {
      const tenant = await seeded();
      const before = await snapshot(db.knex, tenant);
      const pkg = packageWith({ users: 'bulk' }, {
        'users.csv': (old) => old.split('\n').filter((l) => !l.startsWith('usr-ad,')).join('\n'),
      });
      const r = await importCsv(db.knex, { location: pkg, tenant });
      assert.equal(file(r, 'users.csv').tombstoned, 1, formatReport(r));
      assert.deepEqual(changedKeys(before, await snapshot(db.knex, tenant)), ['users/usr-ad']);
      const after = await snapshot(db.knex, tenant);
      assert.equal(after.get('users/usr-ad')!.status, 'tobedeleted');
      assert.ok(after.get('users/usr-ad')!.dlm > before.get('users/usr-ad')!.dlm, 'the tombstone has a new dateLastModified');
    });

    test('a bulk file tombstones only records of its own source', async () => {
      const tenant = await seeded();
      const other = packageWith({ orgs: 'bulk' }, {
        'orgs.csv': (old) => `${old}org-x,,,Partner Charter,school,0609999,org-d\n`,
      });
      const sis2 = await importCsv(db.knex, { location: other, tenant, source: 'charter-sis' });
      assert.equal(file(sis2, 'orgs.csv').created, 1, formatReport(sis2));
      const r = await importCsv(db.knex, { location: FIXTURE_1P1, tenant });
      assert.equal(file(r, 'orgs.csv').tombstoned, 0, 'org-x belongs to charter-sis; the csv source does not sweep it');
    });

    describe('bad input', () => {
      test('a wrong header imports nothing from that file and names file, line and column; other files import', async () => {
        const tenant = await seeded();
        const before = await snapshot(db.knex, tenant);
        const pkg = fixturePackage({
          'users.csv': (old) => old.replace('givenName', 'firstName').replace('Okafor', 'Changed'),
          'orgs.csv': (old) => old.replace('Maple Middle', 'Maple Middle School'),
        });
        const r = await importCsv(db.knex, { location: pkg, tenant });
        assert.equal(r.outcome, 'partial');
        assert.equal(file(r, 'users.csv').outcome, 'failed');
        assert.deepEqual(problemsOf(r, 'users.csv').map((p) => [p.line, p.column]), [[1, 9]]);
        assert.match(problemsOf(r, 'users.csv')[0].message, /unknown column "firstName"/);
        assert.equal(file(r, 'users.csv').tombstoned, 0, 'a failed bulk file sweeps nothing');
        assert.deepEqual(changedKeys(before, await snapshot(db.knex, tenant)), ['orgs/org-s2']);
      });

      test('a missing required column is named', async () => {
        const tenant = await seeded();
        const pkg = fixturePackage({ 'classes.csv': (old) => old.split('\n').map((l) => l.split(',').slice(0, 9).join(',')).join('\n') });
        const r = await importCsv(db.knex, { location: pkg, tenant });
        assert.equal(file(r, 'classes.csv').outcome, 'failed');
        assert.match(problemsOf(r, 'classes.csv')[0].message, /missing the required columns schoolSourcedId, termSourcedIds/);
      });

      test('broken quoting imports nothing from that file and names the line', async () => {
        const tenant = await seeded();
        const before = await snapshot(db.knex, tenant);
        const pkg = fixturePackage({
          'courses.csv': (old) => old.replace('Grade 5 Math', 'Grade 5 Math (new)').replace('"Biology, Honors"', '"Biology, Honors'),
        });
        const r = await importCsv(db.knex, { location: pkg, tenant });
        assert.equal(file(r, 'courses.csv').outcome, 'failed');
        const [p] = problemsOf(r, 'courses.csv');
        assert.match(p.message, /cannot be parsed as CSV/);
        assert.equal(p.line, 4);
        assert.deepEqual(changedKeys(before, await snapshot(db.knex, tenant)), [], 'the good row before the bad one was not applied either');
      });

      test('broken quoting after several thousand good rows imports nothing from that file; the files after it still import', async () => {
        const tenant = await seeded();
        const before = await snapshot(db.knex, tenant);
        const many = Array.from({ length: 12_000 }, (_, i) => `enr-many-${i},,,cls-1,org-s1,usr-s2,student,false,,`);
        many[11_000] = 'enr-broken,,,cls-1,org-s1,"usr-s2,student,false,,';
        const pkg = fixturePackage({ 'enrollments.csv': (old) => `${old.trimEnd()}\n${many.join('\n')}\n` });
        const r = await importCsv(db.knex, { location: pkg, tenant });
        assert.equal(file(r, 'enrollments.csv').outcome, 'failed');
        assert.equal(file(r, 'demographics.csv').outcome, 'imported', 'the file after the failed one still imports on the same connection');
        assert.equal(r.outcome, 'partial');
        const enrollments = (await db.knex.raw(`select count(*)::int as n from enrollments where tenant_id = ? and sourced_id like 'enr-many-%'`, [tenant])).rows[0].n;
        assert.equal(enrollments, 0);
        assert.deepEqual(changedKeys(before, await snapshot(db.knex, tenant)), []);
      });

      test('an import leaves no spool files, named or open: after success, after a file that cannot be parsed, after a failure while the next file was read ahead', async () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'import-tmp-'));
        /** Spool files still in the folder or, where the system lists them (Linux), still open in this process. */
        const spools = () => {
          const named = fs.readdirSync(tmp).filter((f) => f.startsWith('rollcall-import-'));
          if (!fs.existsSync('/proc/self/fd')) return named;
          const open = fs.readdirSync('/proc/self/fd').flatMap((fd) => {
            try {
              return [fs.readlinkSync(`/proc/self/fd/${fd}`)];
            } catch {
              return []; // closed meanwhile
            }
          });
          return [...named, ...open.filter((target) => target.startsWith(`${tmp}/`))]; // unnamed (O_TMPFILE) or unlinked
        };
        const tmpdir = process.env.TMPDIR;
        process.env.TMPDIR = tmp;
        try {
          const tenant = `t${++n}`;
          let most = 0;
          const r0 = await importCsv(db.knex, { location: FIXTURE_1P1, tenant, onProgress: () => (most = Math.max(most, spools().length)) });
          assert.equal(r0.outcome, 'succeeded');
          if (fs.existsSync('/proc/self/fd')) assert.ok(most > 0 && most <= 2, `at most the file applying and the next one spooled at a time (${most})`);
          assert.deepEqual(spools(), [], 'after a successful import');
          const broken = fixturePackage({ 'classes.csv': (old) => old.replace('Grade 5 Math', '"Grade 5 Math') });
          const r = await importCsv(db.knex, { location: broken, tenant });
          assert.equal(file(r, 'classes.csv').outcome, 'failed');
          assert.deepEqual(spools(), [], 'after a file that cannot be parsed');
          // enrollments.csv is read while users.csv is applied; the read fails, so the whole import does.
          const before = await snapshot(db.knex, tenant);
          const pkg = packageWith({ users: 'bulk', enrollments: 'bulk' }, { 'users.csv': (old) => old.replace('Chloe', 'Chloë') });
          const stopAt = (f: string) => {
            if (f === 'enrollments.csv') throw new Error('stopped by the test');
          };
          await assert.rejects(importCsv(db.knex, { location: pkg, tenant, onProgress: stopAt }), /stopped by the test/);
          assert.deepEqual(changedKeys(before, await snapshot(db.knex, tenant)), [], 'users.csv, applied before the failure, was rolled back with it');
          assert.deepEqual(spools(), [], 'after a failed import');
        } finally {
          if (tmpdir === undefined) delete process.env.TMPDIR;
          else process.env.TMPDIR = tmpdir;
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });

      test('a file that is not UTF-8 imports nothing and names line and column of the first bad byte', async () => {
        const tenant = await seeded();
        const latin1 = Buffer.from(
          'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-d,,,District,district,1,\norg-s1,,,\xc9cole Maple,school,2,org-d\n',
          'latin1',
        );
        const r = await importCsv(db.knex, { location: fixturePackage({ 'orgs.csv': latin1 }), tenant });
        assert.equal(file(r, 'orgs.csv').outcome, 'failed');
        const [p] = problemsOf(r, 'orgs.csv');
        assert.match(p.message, /not valid UTF-8/);
        assert.deepEqual([p.line, p.column], [3, 10], 'org-s1,,, is nine characters; É is the tenth');
      });

      test('rows failing validation are skipped and listed with file:line:column, field and value; the rest imports', async () => {
        const tenant = await seeded();
        const before = await snapshot(db.knex, tenant);
        const pkg = packageWith({ users: 'bulk', academicSessions: 'bulk', enrollments: 'bulk' }, {
          'users.csv': (old) =>
            old
              .replace('usr-s2,,,true,org-s2,student,ben.okafor', 'usr-s2,,,true,org-s2,student,') // missing username
              .replace('usr-t1,,,true,org-s1,teacher', 'usr-t1,,,true,org-s1,wizard') // bad enum
              .replace('Chloe', 'Chloë') + 'usr-new,,,true,org-s9,student,new.kid,,New,Kid,,9,,,,,05,,\n', // unknown org
          'academicSessions.csv': (old) => old.replace('2026-10-20', '2026-13-01'), // bad date
          'enrollments.csv': (old) => `${old}enr-1,,,cls-2,org-s2,a1,student,false,,\n`, // duplicate sourcedId
        });
        const r = await importCsv(db.knex, { location: pkg, tenant });
        assert.equal(r.outcome, 'partial');
        const summary = r.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.field}=${p.value}`);
        assert.deepEqual(summary, [
          'academicSessions.csv:5:7 endDate=2026-13-01',
          'users.csv:3:7 username=',
          'users.csv:6:6 role=wizard',
          'users.csv:9:5 orgSourcedIds=org-s9',
          'enrollments.csv:8:1 sourcedId=enr-1',
        ]);
        assert.match(formatReport(r), /users.csv:6:6 role="wizard": must be one of administrator, aide/);
        assert.equal(file(r, 'users.csv').skipped, 3);
        assert.equal(file(r, 'enrollments.csv').skipped, 1);
        assert.equal(file(r, 'users.csv').updated, 1, 'the good change (Chloë) applied');
        assert.equal(file(r, 'users.csv').tombstoned, 0, 'skipped rows still count as present: no sweep of usr-s2 or usr-t1');
        assert.deepEqual(changedKeys(before, await snapshot(db.knex, tenant)), ['users/usr-s3']);
      });

      test('a reference to a record that failed in an earlier file skips the referring row', async () => {
        const tenant = `t${++n}`;
        const pkg = fixturePackage({ 'orgs.csv': (old) => old.replace('org-s3,,,Maple High,school', 'org-s3,,,Maple High,campus') });
        const r = await importCsv(db.knex, { location: pkg, tenant });
        const refs = r.problems.filter((p) => p.value === 'org-s3').map((p) => `${p.file}:${p.line} ${p.field}`);
        assert.deepEqual(refs, ['courses.csv:4 orgSourcedId', 'classes.csv:4 schoolSourcedId', 'users.csv:4 orgSourcedIds', 'users.csv:7 orgSourcedIds', 'enrollments.csv:4 schoolSourcedId', 'enrollments.csv:7 schoolSourcedId']);
      });

      test('a user may name a guardian further down the file, but not one the file rejects', async () => {
        const tenant = `t${++n}`;
        const pkg = fixturePackage({
          'users.csv': (old) =>
            `${old.trimEnd()}\n` +
            'usr-kid1,,,true,org-s1,student,kid.one,,Kid,One,,,,,,usr-g-late,05,,\n' +
            'usr-kid2,,,true,org-s1,student,kid.two,,Kid,Two,,,,,,usr-g-bad,05,,\n' +
            'usr-g-late,,,true,org-s1,guardian,g.late,,Gus,Late,,,,,,,,,\n' +
            'usr-g-bad,,,true,org-s9,guardian,g.bad,,Gia,Bad,,,,,,,,,\n',
        });
        const r = await importCsv(db.knex, { location: pkg, tenant });
        const users = r.problems.filter((p) => p.file === 'users.csv').map((p) => `${p.line} ${p.field}=${p.value}`);
        assert.deepEqual(users, ['10 agentSourcedIds=usr-g-bad', '12 orgSourcedIds=org-s9']);
        const stored = (await db.knex.raw(`select sourced_id from users where tenant_id = ? and sourced_id like 'usr-%' and sourced_id in ('usr-kid1', 'usr-kid2', 'usr-g-late', 'usr-g-bad') order by 1`, [tenant])).rows;
        assert.deepEqual(stored.map((u: { sourced_id: string }) => u.sourced_id), ['usr-g-late', 'usr-kid1']);
      });

      test('a package without manifest.csv is refused unless a mode is given', async () => {
        const tenant = `t${++n}`;
        const pkg = fixturePackage({ 'manifest.csv': null });
        const r = await importCsv(db.knex, { location: pkg, tenant });
        assert.equal(r.outcome, 'failed');
        assert.match(r.problems[0].message, /missing.*--mode bulk/);
        assert.equal(r.tenantCreated, false);
        assert.equal((await db.knex.raw('select count(*)::int as n from tenants where id = ?', [tenant])).rows[0].n, 0, 'a refused import creates nothing');
        const r2 = await importCsv(db.knex, { location: pkg, tenant, mode: 'bulk' });
        assert.equal(r2.outcome, 'succeeded', formatReport(r2));
      });

      test('the problem list is capped and counts the rest', async () => {
        const tenant = await seeded();
        const rows = Array.from({ length: 30 }, (_, i) => `enr-x${i},,,cls-1,org-s1,nobody${i},student,,,`).join('\n');
        const pkg = packageWith({ enrollments: 'delta' }, { 'enrollments.csv': (old) => `${old}${rows}\n` });
        const r = await importCsv(db.knex, { location: pkg, tenant, problemCap: 10 });
        assert.equal(r.problems.length, 10);
        assert.equal(r.problemsNotShown, 20);
        assert.match(formatReport(r), /… and 20 more/);
      });
    });
  });
}
