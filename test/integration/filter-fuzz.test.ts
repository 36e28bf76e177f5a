import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, test } from 'node:test';
import { RollcallError } from '../../src/errors.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import type { EntityName } from '../../src/model/entities.js';
import { buildCollectionQuery } from '../../src/query/build-select.js';
import { readCollectionParams, type RawQuery } from '../../src/query/collection-params.js';
import { fieldSet } from '../../src/query/registry/index.js';
import type { Database } from '../../src/store/db.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

const RUNS = 2500;
const ENTITIES: EntityName[] = ['users', 'enrollments', 'academicSessions', 'classes', 'orgs', 'courses', 'demographics'];

const nasty = fc.constantFrom(
  "' OR '1'='1", "'; drop table users; --", '%', '_', '\\', '\u0000', '\ud800', '😀', 'Ω≈ç√', '2024-01-05', '2024-01-05T10:00:00.000+02:00',
  '2024-02-30', 'true', 'FALSE', 'active', 'tobedeleted', 'student', 'administrator', '', ' ', '9'.repeat(40), 'NaN', 'infinity', 'now', 'epoch',
);
const plausible = fc.constantFrom('active', 'student', 'teacher', 'true', 'false', '2024-01-05', '2026-09-01T00:00:00Z', 'org-s1', 'a1', 'López', '05', 'IEP');
const value = fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 2, arbitrary: nasty }, { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
const op = fc.constantFrom('=', '!=', '>', '>=', '<', '<=', '~');
const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** Filters that mostly parse (known fields, any predicate, hostile values), plus raw noise. */
function filterFor(entity: EntityName) {
  const known = [...Object.keys(fieldSet(entity, '1.1').filter), ...Object.keys(fieldSet(entity, '1.2').filter), 'metadata.microsoft.userFlags', 'metadata.x', 'nope'];
  const comparison = fc.tuple(fc.constantFrom(...known), op, value).map(([f, o, v]) => `${f}${o}${quote(v)}`);
  const joined = fc.array(comparison, { minLength: 1, maxLength: 3 }).chain((cs) =>
    fc.array(fc.constantFrom(' AND ', ' OR ', ' and ', ' or '), { minLength: cs.length - 1, maxLength: cs.length - 1 }).map((ops) =>
      cs.reduce((acc, c, i) => (i === 0 ? c : `${acc}${ops[i - 1]}${c}`), ''),
    ),
  );
  return fc.oneof({ weight: 12, arbitrary: joined }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) });
}

const query = fc.constantFrom(...ENTITIES).chain((entity) =>
  fc.record({
    entity: fc.constant(entity),
    version: fc.constantFrom('1.1' as const, '1.2' as const),
    raw: fc.record(
      {
        filter: filterFor(entity),
        sort: fc.oneof(fc.constantFrom('sourcedId', 'dateLastModified', 'status', 'familyName', 'title', 'grades', 'metadata.x', 'role'), fc.string({ maxLength: 8 })),
        orderBy: fc.constantFrom('asc', 'desc', 'DESC'),
        limit: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 20000 }).map(String) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }),
        offset: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 50 }).map(String) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }),
        fields: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('sourcedId,status', 'sourcedId', 'dateLastModified,metadata') }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }),
      },
      { requiredKeys: ['filter', 'orderBy'] },
    ) as fc.Arbitrary<RawQuery>,
  }),
);

for (const engine of engines()) {
  describe(`generated queries never reach the database as errors (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      assert.equal((await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'fz' })).outcome, 'succeeded');
    });
    after(async () => db?.close());

    test(`${RUNS} generated queries: rows, or a 400 RollcallError, and nothing else`, async () => {
      let answered = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(query, async ({ entity, version, raw }) => {
          let built;
          try {
            const params = readCollectionParams(raw, entity, version);
            built = buildCollectionQuery({ entity, version, tenant: 'fz', scope: [], params });
          } catch (e) {
            assert.ok(e instanceof RollcallError && e.kind === 'invalid_input', `not a 400: ${String(e)}`);
            refused++;
            return;
          }
          await db.knex.raw(built.page.sql, built.page.bindings); // a database error fails the property
          await db.knex.raw(built.count.sql, built.count.bindings);
          answered++;
        }),
        { numRuns: RUNS },
      );
      assert.ok(answered > RUNS / 10 && refused > RUNS / 10, `answered ${answered}, refused ${refused}: both kinds exercised`);
    });
  });
}
