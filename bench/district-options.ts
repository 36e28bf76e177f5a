import { parseArgs } from 'node:util';
import type { DemoOptions } from '../src/demo/generate.js';

/**
 * District sizes of the benchmark (issue 7). L is LAUSD-like: 565,000 students, 74,000 staff,
 * 500,000 guardians, 1,000 schools; M is a tenth of it and S a hundredth. The generator takes
 * students, schools, guardians and staff per student, and classes per student (8 periods);
 * classes and enrollments follow from those (classes hold at most 32 students, so there are
 * more classes than the 60,000 at L; see docs/benchmarks.md).
 */
export const SIZES: Record<string, { students: number; schools: number }> = {
  S: { students: 5_650, schools: 10 },
  M: { students: 56_500, schools: 100 },
  L: { students: 565_000, schools: 1_000 },
};
export const GUARDIANS_PER_STUDENT = 500_000 / 565_000;
export const STAFF_PER_STUDENT = 74_000 / 565_000;
export const CLASSES_PER_STUDENT = 8;

export type BenchOptions = {
  size: string;
  demo: Required<DemoOptions>;
  engines: string[];
  databaseUrl: string;
  clients: number;
  limit: number;
  port: number;
  version: '1.1' | '1.2';
  profile: boolean;
  keep: boolean;
  /** Write a V8 CPU profile of the server (node --cpu-prof) into bench/out. */
  cpuProf: boolean;
  /** Extra node flags for the server process (experiments, e.g. "--max-semi-space-size=64"). */
  serverNodeArgs: string[];
  growth?: string[];
  /** Result files to print again (--report). */
  report?: string[];
};

const USAGE = `npm run bench -- [--size S|M|L] [--students N --schools N --classes-per-student N --guardians-per-student X --staff-per-student X --seed N]
                    [--engines postgres,pglite] [--database-url URL] [--clients 8] [--limit 5000] [--version 1.1|1.2] [--port 18080]
                    [--no-profile] [--keep] [--cpu-prof] [--server-node-args "--flag …"]
       npm run bench -- --growth <small.json> <large.json>
       npm run bench -- --report <result.json>…`;

export function benchOptions(argv = process.argv.slice(2)): BenchOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      size: { type: 'string', default: 'S' },
      students: { type: 'string' },
      schools: { type: 'string' },
      'classes-per-student': { type: 'string' },
      'guardians-per-student': { type: 'string' },
      'staff-per-student': { type: 'string' },
      seed: { type: 'string', default: '7' },
      engines: { type: 'string', default: 'postgres,pglite' },
      'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
      clients: { type: 'string', default: '8' },
      limit: { type: 'string', default: '5000' },
      version: { type: 'string', default: '1.1' },
      port: { type: 'string', default: '18080' },
      'no-profile': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'server-node-args': { type: 'string', default: '' },
      growth: { type: 'boolean', default: false },
      report: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const size = values.size!.toUpperCase();
  const preset = SIZES[size];
  if (!preset) throw new Error(`--size ${values.size}: use S, M or L (or give --students)\n${USAGE}`);
  const students = values.students ? Number(values.students) : preset.students;
  const custom = values.students !== undefined || values.schools !== undefined || values['classes-per-student'] !== undefined
    || values['guardians-per-student'] !== undefined || values['staff-per-student'] !== undefined;
  const demo: Required<DemoOptions> = {
    students,
    seed: Number(values.seed),
    schools: values.schools ? Number(values.schools) : values.students ? Math.max(3, Math.round(students / 565)) : preset.schools,
    classesPerStudent: values['classes-per-student'] ? Number(values['classes-per-student']) : CLASSES_PER_STUDENT,
    guardiansPerStudent: values['guardians-per-student'] ? Number(values['guardians-per-student']) : GUARDIANS_PER_STUDENT,
    staffPerStudent: values['staff-per-student'] ? Number(values['staff-per-student']) : STAFF_PER_STUDENT,
  };
  const version = values.version === '1.2' ? '1.2' : '1.1';
  return {
    size: custom ? `custom${students}` : size,
    demo,
    engines: values.engines!.split(',').map((e) => e.trim()).filter(Boolean),
    databaseUrl: values['database-url']!,
    clients: Number(values.clients),
    limit: Number(values.limit),
    port: Number(values.port),
    version,
    profile: !values['no-profile'],
    keep: values.keep!,
    cpuProf: values['cpu-prof']!,
    serverNodeArgs: values['server-node-args']!.split(/\s+/).filter(Boolean),
    growth: values.growth ? positionals : undefined,
    report: values.report ? positionals : undefined,
  };
}
