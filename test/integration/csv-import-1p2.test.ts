import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importCsv } from '../../src/ingest/csv/import.js';
import { formatReport } from '../../src/ingest/csv/report.js';
import type { Database } from '../../src/store/db.js';
import { engines } from '../helpers/engines.js';

const FIXTURE_1P2 = path.resolve(import.meta.dirname, '../fixtures/oneroster-1p2');

for (const engine of engines()) {
  describe(`OneRoster 1.2 CSV import (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
    });
    after(async () => {
      await db.close();
    });

    test('roles.csv and userProfiles.csv fold into users; bad roles and users without roles are listed', async () => {
      const r = await importCsv(db.knex, { location: FIXTURE_1P2, tenant: 'v12' });
      assert.equal(r.version, '1.2');
      assert.deepEqual(
        r.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.field}=${p.value}`),
        ['roles.csv:10:6 role=wizard', 'users.csv:9:1 sourcedId=usr-norole'],
        formatReport(r),
      );
      assert.equal(r.files.find((f) => f.file === 'users.csv')!.created, 7);
      const user = async (id: string) => (await db.knex.raw(`select role, org_sourced_ids, data from users where tenant_id = 'v12' and sourced_id = ?`, [id])).rows[0];

      const t2 = await user('usr-t2');
      assert.equal(t2.role, 'teacher');
      assert.deepEqual(t2.org_sourced_ids.sort(), ['org-s2', 'org-s3']);
      assert.deepEqual(t2.data.roles, [
        { roleType: 'primary', role: 'teacher', org: { sourcedId: 'org-s2', type: 'org' }, beginDate: '2026-08-17' },
        { roleType: 'secondary', role: 'teacher', org: { sourcedId: 'org-s3', type: 'org' } },
      ]);

      const a1 = await user('a1');
      assert.equal(a1.data.preferredFirstName, 'Avi');
      assert.equal(a1.data.pronouns, 'she/her');
      assert.equal(a1.data.userMasterIdentifier, 'MI-1001');
      assert.deepEqual(a1.data.primaryOrg, { sourcedId: 'org-s1', type: 'org' });

      const t1 = await user('usr-t1');
      assert.deepEqual(t1.data.userProfiles, [
        { profileId: 'urn:oneroster:userprofile:prof-t1', profileType: 'lms', vendorId: 'canvas', applicationId: 'canvas-k12', description: 'Canvas account', credentials: [{ type: 'username', username: 'twright' }] },
      ]);
      assert.equal(t1.data.roles.length, 1, 'the invalid wizard role was skipped, the valid one kept');
      const all = JSON.stringify((await db.knex.raw(`select data from users where tenant_id = 'v12'`)).rows);
      assert.doesNotMatch(all, /s3cret/, 'passwords are never stored');

      assert.equal((await user('usr-ad')).role, 'districtAdministrator');
      assert.equal(await user('usr-norole'), undefined);
    });

    test('a 1.1 users.csv header under a 1.2 manifest is refused by name', async () => {
      const { fixturePackage } = await import('../helpers/csv-package.js');
      const pkg = fixturePackage({ 'manifest.csv': (m) => m.replace('oneroster.version,1.1', 'oneroster.version,1.2') });
      const r = await importCsv(db.knex, { location: pkg, tenant: 'mixed' });
      const users = r.files.find((f) => f.file === 'users.csv')!;
      assert.equal(users.outcome, 'failed');
      assert.match(r.problems.find((p) => p.file === 'users.csv')!.message, /unknown column "orgSourcedIds".*OneRoster 1\.2 users\.csv/);
    });
  });
}
