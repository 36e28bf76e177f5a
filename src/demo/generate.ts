import fs from 'node:fs';
import type { DemoContext } from './demo-context.js';
import { planDistrict } from './district-plan.js';
import { buildFamilies } from './families.js';
import { buildNamePools } from './name-pools.js';
import { randomFor } from './random.js';
import { writeAcademicSessions } from './write-academic-sessions.js';
import { writeClasses } from './write-classes.js';
import { writeCourses } from './write-courses.js';
import { writeDemographics } from './write-demographics.js';
import { writeEnrollments } from './write-enrollments.js';
import { writeManifest } from './write-manifest.js';
import { writeOrgs } from './write-orgs.js';
import { writeUsers } from './write-users.js';

/**
 * A deterministic demo school district written as a OneRoster 1.1 CSV folder. The district's
 * shape (schools, grades, sections, staff counts, families) is decided first and kept compact;
 * the rows are then generated and streamed file by file, so a 565,000-student district needs
 * only a few tens of megabytes of memory. Same seed and options give byte-identical files.
 */
export type DemoOptions = {
  students: number;
  seed?: number;
  schools?: number;
  classesPerStudent?: number;
  guardiansPerStudent?: number;
  staffPerStudent?: number;
};

/** Data rows written per file, e.g. { 'users.csv': 1234, … }. */
export type DemoSummary = Record<string, number>;

/** LAUSD-like: 565,000 students in about 1,000 schools. */
const STUDENTS_PER_SCHOOL = 565;

type ResolvedOptions = Required<DemoOptions>;

function resolveOptions(options: DemoOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    students: options.students,
    seed: options.seed ?? 1,
    schools: options.schools ?? Math.max(3, Math.round(options.students / STUDENTS_PER_SCHOOL)),
    classesPerStudent: options.classesPerStudent ?? 8,
    guardiansPerStudent: options.guardiansPerStudent ?? 0.9,
    staffPerStudent: options.staffPerStudent ?? 0.13,
  };
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new RangeError(`Demo district: ${message}`);
  };
  check(Number.isInteger(resolved.students) && resolved.students >= 0, 'students must be a whole number ≥ 0');
  check(Number.isInteger(resolved.seed), 'seed must be a whole number');
  check(Number.isInteger(resolved.schools) && resolved.schools >= 3, 'schools must be a whole number ≥ 3');
  check(resolved.classesPerStudent >= 0, 'classesPerStudent must be ≥ 0');
  check(resolved.guardiansPerStudent >= 0, 'guardiansPerStudent must be ≥ 0');
  check(resolved.staffPerStudent >= 0, 'staffPerStudent must be ≥ 0');
  return resolved;
}

export async function writeDemoCsv(dir: string, options: DemoOptions): Promise<DemoSummary> {
  const o = resolveOptions(options);
  fs.mkdirSync(dir, { recursive: true });
  const pools = buildNamePools(o.seed);
  const plan = planDistrict(
    {
      students: o.students,
      schools: o.schools,
      slots: Math.round(o.classesPerStudent),
      staffPerStudent: o.staffPerStudent,
    },
    pools,
    randomFor(o.seed, 'district'),
  );
  const families = buildFamilies(
    o.students,
    o.guardiansPerStudent,
    pools.family.names.length,
    randomFor(o.seed, 'families'),
  );
  const ctx: DemoContext = { dir, seed: o.seed, plan, pools, families };
  return {
    'manifest.csv': await writeManifest(ctx),
    'orgs.csv': await writeOrgs(ctx),
    'academicSessions.csv': await writeAcademicSessions(ctx),
    'courses.csv': await writeCourses(ctx),
    'classes.csv': await writeClasses(ctx),
    'users.csv': await writeUsers(ctx),
    'enrollments.csv': await writeEnrollments(ctx),
    'demographics.csv': await writeDemographics(ctx),
  };
}
