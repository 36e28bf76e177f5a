// One engine's paging benchmark, in its own process. Prints one JSON line.
import { importCsv } from '../src/ingest/csv/import.js';
import { buildCollectionQuery, type CollectionQuery } from '../src/query/build-select.js';
import { readCollectionParams } from '../src/query/collection-params.js';
import { Pager } from '../src/query/pager.js';
import { renderRecordSql } from '../src/api/render/render-sql.js';
import { SHARE_EVERYTHING } from '../src/auth/sharing.js';
import { openDatabase } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';

const [target, district] = process.argv.slice(2);
const db = target.startsWith('postgres') ? await openDatabase({ databaseUrl: target }) : await openDatabase({ dataDir: target, command: 'bench' });
await migrate(db);
const tenant = 'bench';
const imported = await importCsv(db.knex, { location: district, tenant });
if (imported.outcome !== 'succeeded') throw new Error(`import ${imported.outcome}`);

const limit = 5000;
const query = (offset: number): CollectionQuery => ({
  entity: 'enrollments', version: '1.1', tenant, scope: [],
  params: readCollectionParams({ filter: "status='active'", limit: String(limit), offset: String(offset) }, 'enrollments', '1.1'),
});
const pager = new Pager();
const render = renderRecordSql('enrollments', '1.1', { baseUrl: 'http://127.0.0.1:8080/ims/oneroster/v1p1', sharing: SHARE_EVERYTHING });
const pages: Array<{ offset: number; ms: number; rows: number; seeked: boolean }> = [];
let total = 0;
const t0 = performance.now();
for (let offset = 0; ; offset += limit) {
  const t = performance.now();
  const p = await pager.page(db.knex, query(offset), render);
  pages.push({ offset, ms: +(performance.now() - t).toFixed(1), rows: p.rows.length, seeked: p.seeked });
  total = p.total;
  if (p.rows.length < limit) break;
}
const crawlSeconds = (performance.now() - t0) / 1000;
const lastOffset = pages[pages.length - 1].offset;
const cold = async (offset: number) => {
  const { page } = buildCollectionQuery(query(offset));
  const t = performance.now();
  await db.knex.raw(page.sql, page.bindings);
  return +(performance.now() - t).toFixed(1);
};
await cold(0); // warm the cache for a fair comparison
const result = {
  engine: db.engine,
  total,
  pages: pages.length,
  crawlSeconds: +crawlSeconds.toFixed(1),
  recordsPerSecond: Math.round(pages.reduce((n, p) => n + p.rows, 0) / crawlSeconds),
  first: pages[0],
  middle: pages[Math.floor(pages.length / 2)],
  last: pages[pages.length - 1],
  secondToLast: pages[pages.length - 2],
  coldOffsetFirstMs: await cold(0),
  coldOffsetLastMs: await cold(lastOffset),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
await db.close();
