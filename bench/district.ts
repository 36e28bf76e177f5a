import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeDemoCsv } from '../src/demo/generate.js';

/**
 * The options every benchmark takes, and the generated district it runs on (written once to
 * bench/out/district-<students>-<classes per student> and reused).
 */
export async function benchDistrict() {
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
  const district = path.join(out, `district-${students}-${classesPerStudent}`);
  if (!fs.existsSync(path.join(district, 'manifest.csv'))) {
    const t0 = performance.now();
    const counts = await writeDemoCsv(district, { students, classesPerStudent, seed: 7 });
    console.log(`generated ${district} in ${((performance.now() - t0) / 1000).toFixed(1)} s:`, counts);
  }
  return { students, classesPerStudent, out, district, engines: values.engines!.split(','), databaseUrl: values['database-url']! };
}
