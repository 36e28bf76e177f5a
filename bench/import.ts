// npm run bench:import [-- --students N --classes-per-student K --engines postgres,pglite]
// Generates a OneRoster 1.1 CSV district (default: ~100,000 users, ~1,000,000 enrollments), then on
// each engine: a first import, an unchanged re-import, a 1% delta, and a bulk users file missing
// one user. Prints rows/s and peak RSS, and checks how many records each step changed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDistrict } from './district.js';
import { engineTarget } from './engine-target.js';
import { deltaPackages } from './delta-packages.js';

const { students, classesPerStudent, out, district: dataDir, engines, databaseUrl } = await benchDistrict();
const { delta, bulkMinusOne, named } = await deltaPackages(dataDir);
/** Data rows in a generated CSV (one per line; the generator writes no multi-line cells), without loading the file. */
async function dataRows(file: string): Promise<number> {
  let newlines = 0;
  for await (const chunk of fs.createReadStream(file)) for (let i = (chunk as Buffer).indexOf(10); i >= 0; i = (chunk as Buffer).indexOf(10, i + 1)) newlines++;
  return newlines - 1; // minus the header
}
const counts: Record<string, number> = {};
for (const f of fs.readdirSync(dataDir).filter((x) => x !== 'manifest.csv')) counts[f] = await dataRows(path.join(dataDir, f));
console.log('rows per file:', counts);

const results: unknown[] = [];
for (const engine of engines) {
  const { target, cleanup } = await engineTarget(engine, databaseUrl);
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/import-run.ts', target, dataDir, delta, bulkMinusOne, String(named)], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
    });
    if (run.status !== 0) throw new Error(`${engine} run failed (exit ${run.status})`);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!);
    results.push(r);
    console.log(`\n${engine}:`);
    console.table({
      'first import': pick(r.first),
      're-import (unchanged)': pick(r.again),
      [`delta (${named} rows named)`]: pick(r.delta),
      'bulk users minus one': pick(r.bulkMinusOne),
    });
    console.log(`  re-import vs first: ${(r.first.seconds / r.again.seconds).toFixed(2)}x faster; user tombstones after bulk-minus-one: ${r.bulkMinusOne.userTombstones}`);
  } finally {
    cleanup();
  }
}
fs.mkdirSync(out, { recursive: true });
const file = path.join(out, `import-${students}-${classesPerStudent}.json`);
fs.writeFileSync(file, JSON.stringify({ machine: machine(), counts, results }, null, 2));
console.log(`\nwrote ${file}`);

function pick(x: { rows: number; seconds: number; rowsPerSecond: number; peakRssMb: number; moved: number; outcome: string }) {
  return { rows: x.rows, seconds: x.seconds, 'rows/s': x.rowsPerSecond, 'peak RSS MB': x.peakRssMb, 'records changed': x.moved, outcome: x.outcome };
}

function machine() {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
}
