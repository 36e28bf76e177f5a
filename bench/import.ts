// npm run bench:import [-- --students N --classes-per-student K --engines postgres,pglite]
// Generates a OneRoster 1.1 CSV district (default: ~100,000 users, ~1,000,000 enrollments), then on
// each engine: a first import, an unchanged re-import, a 1% delta, and a bulk users file missing
// one user. Prints rows/s and peak RSS, and checks how many records each step changed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeDemoCsv } from '../src/demo/generate.js';
import { engineTarget } from './engine-target.js';
import { deltaPackages } from './delta-packages.js';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '49300' },
    'classes-per-student': { type: 'string', default: '20' },
    engines: { type: 'string', default: 'postgres,pglite' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const students = Number(values.students);
const classesPerStudent = Number(values['classes-per-student']);
const out = path.resolve('bench/out');
const dataDir = path.join(out, `district-${students}-${classesPerStudent}`);

if (!fs.existsSync(path.join(dataDir, 'manifest.csv'))) {
  const t0 = performance.now();
  const counts = await writeDemoCsv(dataDir, { students, classesPerStudent, seed: 7 });
  console.log(`generated ${dataDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s:`, counts);
}
const { delta, bulkMinusOne, named } = await deltaPackages(dataDir);
const counts = Object.fromEntries(
  fs.readdirSync(dataDir).filter((f) => f !== 'manifest.csv').map((f) => [f, fs.readFileSync(path.join(dataDir, f), 'utf8').split('\n').length - 2]),
);
console.log('rows per file:', counts);

const results: unknown[] = [];
for (const engine of values.engines!.split(',')) {
  const { target, cleanup } = await engineTarget(engine, values['database-url']!);
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
