import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importCsv } from '../../src/ingest/csv/import.js';
import type { Database } from '../../src/store/db.js';
import { EntityStage } from '../../src/store/entity-stage.js';
import { StageEncoder, stageFormatOf, type StagedRow } from '../../src/store/stage-encoder.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

/** Enrollment rows on their way in: [line, sourcedId, class, school, user, ok]. */
const ROWS: Array<[number, string, string, string, string, boolean]> = [
  [2, 'e-1', 'cls-1', 'org-s1', 'a1', true],
  [3, 'e-2', 'cls-x', 'org-s1', 'a1', true], // unknown class
  [4, 'e-3', 'cls-2', 'org-s2', 'usr-x', true], // unknown user
  [5, 'e-4', 'cls-x', 'org-x', 'usr-s2', true], // unknown class and school
  [6, 'e-5', 'cls-2', 'org-s2', 'usr-s2', true],
  [7, 'e-6', 'cls-y', 'org-s1', 'a1', false], // rejected while read: not checked
  [8, 'e-7', 'cls-3', 'org-s3', 'usr-x', true], // unknown user again
];

/** For the duplicates check: [line, sourcedId, class]; all name known schools and users. */
type DupRow = [number, string, string];
const DISTINCT: DupRow[] = [
  [2, 'e-1', 'cls-1'],
  [3, 'e-2', 'cls-x'], // unknown class
  [4, 'e-3', 'cls-2'],
];
const REPEATED: DupRow[] = [...DISTINCT, [5, 'e-1', 'cls-2'], [6, 'e-3', 'cls-1'], [7, 'e-1', 'cls-1']];

for (const engine of engines()) {
  describe(`a stage's set checks (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      const r = await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'refs' });
      assert.equal(r.outcome, 'succeeded');
    });
    after(async () => {
      await db.close();
    });

    /** The broken references found with at most `maxGathered` ids gathered per reference; the transaction is rolled back. */
    const brokenWith = async (maxGathered: number | undefined, { passGathered = true } = {}) => {
      const trx = await db.knex.transaction();
      try {
        const stage = new EntityStage(trx, 'enrollments', 'refs', 'csv', new Date());
        const encoder = new StageEncoder('enrollments', stageFormatOf(trx), maxGathered);
        await stage.reset();
        const rows: StagedRow[] = ROWS.map(([line, sid, cls, school, user, ok]) => {
          const data = { sourcedId: sid, class: { sourcedId: cls, type: 'class' }, school: { sourcedId: school, type: 'org' }, user: { sourcedId: user, type: 'user' }, role: 'student' };
          return ok ? { line, sid, status: 'active', ok, hash: sid, data: JSON.stringify(data), refs: encoder.referencesOf(data) } : { line, sid, status: 'active', ok };
        });
        // Two batches: gathering gives up between them when the limit is low.
        const batches = [encoder.encode(rows.slice(0, 3)), encoder.encode(rows.slice(3))];
        await stage.load(batches);
        await stage.seal();
        return (await stage.brokenReferences(passGathered ? encoder.gathered : undefined)).map((b) => `${b.line} ${b.field}=${b.id}`);
      } finally {
        await trx.rollback();
      }
    };

    const expected = ['3 classSourcedId=cls-x', '4 userSourcedId=usr-x', '5 classSourcedId=cls-x', '5 schoolSourcedId=org-x', '8 userSourcedId=usr-x'];

    test('ids gathered as rows are added: every row naming an unknown record, by line', async () => {
      assert.deepEqual(await brokenWith(undefined), expected);
    });

    test('ids read from the stage once a reference names more than the limit: the same rows', async () => {
      assert.deepEqual(await brokenWith(0), expected, 'nothing gathered');
      assert.deepEqual(await brokenWith(3), expected, 'users gathered; classes and schools given up in the second batch');
    });

    test('no ids gathered at all (a stage filled from a sync run): each id read from the stage and looked up, the same rows', async () => {
      assert.deepEqual(await brokenWith(undefined, { passGathered: false }), expected);
    });

    /** Stages `rows`, then checks and applies them as an import does; what each step found. The transaction is rolled back. */
    const stageAndApply = async (rows: DupRow[]) => {
      const trx = await db.knex.transaction();
      try {
        const stage = new EntityStage(trx, 'enrollments', 'refs', 'csv', new Date());
        const encoder = new StageEncoder('enrollments', stageFormatOf(trx));
        await stage.reset();
        const staged: StagedRow[] = rows.map(([line, sid, cls]) => {
          const data = { sourcedId: sid, class: { sourcedId: cls, type: 'class' }, school: { sourcedId: 'org-s1', type: 'org' }, user: { sourcedId: 'a1', type: 'user' }, role: 'student' };
          return { line, sid, status: 'active', ok: true, hash: `${sid}@${line}`, data: JSON.stringify(data), refs: encoder.referencesOf(data) };
        });
        await stage.load([encoder.encode(staged)]);
        await stage.seal();
        const duplicates = (await stage.duplicates()).map((d) => `${d.line} ${d.sid} (first ${d.first})`);
        const broken = (await stage.brokenReferences(encoder.gathered)).map((b) => `${b.line} ${b.field}=${b.id}`);
        const counts = await stage.apply();
        const stored = await trx.raw(`select sourced_id, class_sourced_id from enrollments where tenant_id = 'refs' and sourced_id like 'e-%' order by 1`);
        return { duplicates, broken, counts, stored: stored.rows.map((r: { sourced_id: string; class_sourced_id: string }) => `${r.sourced_id} ${r.class_sourced_id}`) };
      } finally {
        await trx.rollback();
      }
    };

    test('no sourcedId repeats: nothing flagged, every good row applied', async () => {
      const r = await stageAndApply(DISTINCT);
      assert.deepEqual(r.duplicates, []);
      assert.deepEqual(r.broken, ['3 classSourcedId=cls-x']);
      assert.deepEqual(r.stored, ['e-1 cls-1', 'e-3 cls-2']);
      assert.equal(r.counts.created, 2);
    });

    test('a repeated sourcedId: later lines listed with the first, skipped; the checks and the write go on in the same transaction', async () => {
      const r = await stageAndApply(REPEATED);
      assert.deepEqual(r.duplicates, ['5 e-1 (first 2)', '6 e-3 (first 4)', '7 e-1 (first 2)']);
      assert.deepEqual(r.broken, ['3 classSourcedId=cls-x']);
      assert.deepEqual(r.stored, ['e-1 cls-1', 'e-3 cls-2'], 'the first copy of each is kept');
      assert.equal(r.counts.created, 2);
    });
  });
}
