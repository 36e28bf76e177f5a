import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/store/db.js';
import { canCopy, CopyIn } from '../../src/store/copy-rows.js';
import { engines } from '../helpers/engines.js';

// COPY FROM STDIN exists only on a Postgres server (PGlite takes rows as JSON instead).
for (const engine of engines().filter((e) => e.name === 'postgres')) {
  describe(`CopyIn (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
    });
    after(async () => {
      await db.close();
    });

    test('a long COPY written in many large batches holds every row and leaves no listeners behind', async () => {
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        const count = await db.knex.transaction(async (trx) => {
          assert.ok(canCopy(trx));
          await trx.raw('create temp table copied (n int, s text) on commit drop');
          const copy = await CopyIn.open(trx, 'copied');
          const pad = 'x'.repeat(200);
          for (let b = 0; b < 40; b++) {
            const rows = Array.from({ length: 5000 }, (_, i) => `${b * 5000 + i}\t${pad}\n`).join('');
            await copy.write(rows);
          }
          await copy.end();
          return (await trx.raw('select count(*)::int as n, count(distinct n)::int as d from copied')).rows[0];
        });
        assert.deepEqual(count, { n: 200_000, d: 200_000 });
        await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
        assert.deepEqual(warnings.map((w) => w.name), []);
      } finally {
        process.off('warning', onWarning);
      }
    });
  });
}
