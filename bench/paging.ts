// npm run bench:paging [-- --students N --classes-per-student K --engines postgres,pglite]
// Imports a generated district (default ~1,000,000 enrollments), then crawls
// enrollments?filter=status='active'&limit=5000 to the end through the pager, printing the latency
// of the first, middle and last pages, and what a cold OFFSET query costs at the last page.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDistrict } from './district.js';
import { engineTarget } from './engine-target.js';

const { students, classesPerStudent, out, district, engines, databaseUrl } = await benchDistrict();

const results: Array<Record<string, any>> = [];
for (const engine of engines) {
  const { target, cleanup } = await engineTarget(engine, databaseUrl);
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/paging-run.ts', target, district], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (run.status !== 0) throw new Error(`${engine} run failed (exit ${run.status})`);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!);
    results.push(r);
    console.log(`\n${engine}: ${r.total} active enrollments, ${r.pages} pages of 5000, crawl ${r.crawlSeconds} s (${r.recordsPerSecond} records/s)`);
    console.table({
      first: r.first, middle: r.middle, 'second to last': r.secondToLast, last: r.last,
    });
    console.log(`  last page / first page: ${(r.last.ms / r.first.ms).toFixed(2)}x; a cold OFFSET query: first page ${r.coldOffsetFirstMs} ms, last page ${r.coldOffsetLastMs} ms`);
  } finally {
    cleanup();
  }
}
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, `paging-${students}-${classesPerStudent}.json`), JSON.stringify({ cpus: os.cpus().length, node: process.version, results }, null, 2));
