import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { writeDemoCsv } from '../../src/demo/generate.js';
import { manifest } from '../helpers/csv-package.js';

/**
 * The conformance dataset: the demo district (60 students, fixed seed) made to fit what Microsoft's
 * SDS collection needs (spec/sds.md §6 P15), plus a delta package that changes a few records and
 * tombstones one enrollment and one user, so the project's collection can check deltas.
 *
 * The demo district already has ≥3 of everything, guardians whose agents point back at their
 * students, SDS-cased user flags, usernames without '@' and unique teacher emails. What it lacks:
 * - a student with sourcedId `a1` (the collection's "Get Users - Student of Contact" asks for
 *   /users/a1): the first demo student is renamed a1 everywhere it is referenced;
 * - a user with no enrollments and no agents to tombstone in the delta without leaving active
 *   records pointing at it: one district administrator is added.
 * checkDataset() verifies every need on the files written, so a change to the demo generator
 * that breaks one fails here, naming it, rather than as a puzzling newman assertion.
 */

export const TENANT = 'conformance';
const SEED = 20_240_101;
const STUDENTS = 60;

/** The demo student who becomes `a1`. */
const RENAMED_STUDENT = 'usr-stu-0000001';
/** The user added to the base and tombstoned by the delta. */
const LEAVER = 'usr-adm-leaver';

export type Dataset = {
  /** The bulk package (folder). */
  base: string;
  /** The delta package (folder), imported ≥1.1 s after the base. */
  delta: string;
  /** Preset for the SDS collection's `school_id` (Classic folders). */
  schoolId: string;
  /** A class of that school with ≥3 students, and one of its terms. */
  classId: string;
  termId: string;
  /** The 4-digit school year of the academic sessions. */
  schoolYear: string;
  /** What the delta import changes, per collection (sorted sourcedIds). */
  changed: { users: string[]; classes: string[]; enrollments: string[] };
  tombstoned: { user: string; enrollment: string };
};

type Row = Record<string, string>;
type Table = { header: string[]; rows: Row[] };

function readTable(file: string): Table {
  const records = parse(fs.readFileSync(file, 'utf8'), { skip_empty_lines: true }) as string[][];
  const [header, ...body] = records;
  return { header: header!, rows: body.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i] ?? '']))) };
}

function writeTable(file: string, t: Table): void {
  fs.writeFileSync(file, stringify([t.header, ...t.rows.map((r) => t.header.map((h) => r[h] ?? ''))]));
}

/** Replaces an id in every cell that is that id or a comma list containing it. */
function renameId(t: Table, from: string, to: string): void {
  for (const r of t.rows) {
    for (const h of t.header) {
      const v = r[h]!;
      if (v === from || v.split(',').includes(from)) r[h] = v.split(',').map((x) => (x === from ? to : x)).join(',');
    }
  }
}

const list = (v: string) => (v ? v.split(',') : []);

/** Writes both packages under `root` (base/ and delta/) and describes them. */
export async function buildDataset(root: string): Promise<Dataset> {
  const base = path.join(root, 'base');
  const delta = path.join(root, 'delta');
  await writeDemoCsv(base, { students: STUDENTS, seed: SEED });

  const files = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments', 'demographics'] as const;
  const t = Object.fromEntries(files.map((f) => [f, readTable(path.join(base, `${f}.csv`))])) as Record<(typeof files)[number], Table>;

  for (const f of ['users', 'enrollments', 'demographics'] as const) renameId(t[f], RENAMED_STUDENT, 'a1');
  const district = t.orgs.rows.find((o) => o.type === 'district')!;
  t.users.rows.push({
    ...Object.fromEntries(t.users.header.map((h) => [h, ''])),
    sourcedId: LEAVER, status: 'active', enabledUser: 'true', orgSourcedIds: district.sourcedId, role: 'administrator',
    username: 'leaver.admin', userIds: '{SIS:9000001}', givenName: 'Lee', familyName: 'Leaver', identifier: '9000001',
    email: 'leaver.admin@rollcall-demo.org',
  });
  for (const f of files) writeTable(path.join(base, `${f}.csv`), t[f]);

  // The preset school: the school of the first class in sourcedId order (what Classic "Get Classes" picks too).
  const classesSorted = [...t.classes.rows].sort((a, b) => (a.sourcedId! < b.sourcedId! ? -1 : 1));
  const schoolId = classesSorted[0]!.schoolSourcedId!;
  const studentsOf = (cls: string) => t.enrollments.rows.filter((e) => e.classSourcedId === cls && e.role === 'student').length;
  const cls = classesSorted.find((c) => c.schoolSourcedId === schoolId && studentsOf(c.sourcedId!) >= 3)!;
  const schoolYear = t.academicSessions.rows.find((s) => s.type === 'schoolYear')!.schoolYear!;

  // The delta: two changed records, one changed enrollment, one tombstoned enrollment, one tombstoned user.
  fs.mkdirSync(delta, { recursive: true });
  const changedClass: Row = { ...cls, title: `${cls.title} (renamed by delta)` };
  const changedUser: Row = { ...t.users.rows.find((u) => u.sourcedId === 'usr-stu-0000002')! };
  changedUser.middleName = changedUser.middleName === 'Delta' ? 'Changed' : 'Delta';
  const leaver: Row = { ...t.users.rows.find((u) => u.sourcedId === LEAVER)!, status: 'tobedeleted' };
  // Enrollments late in sourcedId order, so the SDS collection's offset=2 paging checks are not affected.
  const enrSorted = [...t.enrollments.rows].sort((a, b) => (a.sourcedId! < b.sourcedId! ? -1 : 1));
  const goneEnrollment: Row = { ...enrSorted[enrSorted.length - 1]!, status: 'tobedeleted' };
  const changedEnrollment: Row = { ...enrSorted[enrSorted.length - 2]!, endDate: '2027-03-19' };
  writeTable(path.join(delta, 'classes.csv'), { header: t.classes.header, rows: [changedClass] });
  writeTable(path.join(delta, 'users.csv'), { header: t.users.header, rows: [changedUser, leaver] });
  writeTable(path.join(delta, 'enrollments.csv'), { header: t.enrollments.header, rows: [changedEnrollment, goneEnrollment] });
  fs.writeFileSync(path.join(delta, 'manifest.csv'), manifest({ classes: 'delta', users: 'delta', enrollments: 'delta' }));

  const dataset: Dataset = {
    base, delta, schoolId, classId: cls.sourcedId!, termId: list(cls.termSourcedIds!)[0]!, schoolYear,
    changed: {
      users: [changedUser.sourcedId!, LEAVER].sort(),
      classes: [cls.sourcedId!],
      enrollments: [changedEnrollment.sourcedId!, goneEnrollment.sourcedId!].sort(),
    },
    tombstoned: { user: LEAVER, enrollment: goneEnrollment.sourcedId! },
  };
  checkDataset(t, dataset);
  return dataset;
}

const FLAGS = ['freeLunch', 'homeless', 'giftedOrTalented', '504', 'ELL', 'LEP', 'IEP'];

/** Throws naming every need of the SDS collection (spec/sds.md §6) the base package does not meet. */
function checkDataset(t: Record<string, Table>, d: Dataset): void {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const users = t.users!.rows;
  const byId = new Map(users.map((u) => [u.sourcedId!, u]));
  const ofRole = (role: string) => users.filter((u) => u.role === role);
  const atSchool = (u: Row) => list(u.orgSourcedIds!).includes(d.schoolId);
  const enrollments = t.enrollments!.rows;

  for (const f of ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments', 'demographics']) {
    need(t[f]!.rows.length >= 3, `≥3 ${f}`);
  }
  need(t.orgs!.rows.filter((o) => o.type === 'school').length >= 3, '≥3 schools');
  need(ofRole('student').length >= 3 && ofRole('teacher').length >= 3, '≥3 students and ≥3 teachers');
  need(t.classes!.rows.filter((c) => c.schoolSourcedId === d.schoolId).length >= 3, `≥3 classes at ${d.schoolId}`);
  need(ofRole('student').filter(atSchool).length >= 3, `≥3 students at ${d.schoolId}`);
  need(ofRole('teacher').filter(atSchool).length >= 3, `≥3 teachers at ${d.schoolId}`);
  for (const role of ['student', 'teacher']) {
    need(enrollments.filter((e) => e.schoolSourcedId === d.schoolId && e.role === role).length >= 3, `≥3 ${role} enrollments at ${d.schoolId}`);
  }
  const a1 = byId.get('a1');
  need(a1?.role === 'student', 'a student with sourcedId a1');
  const a1Agents = list(a1?.agentSourcedIds ?? '');
  need(a1Agents.length > 0, 'a1 has agents');
  need(a1Agents.some((g) => byId.get(g)?.role === 'guardian' && list(byId.get(g)!.agentSourcedIds!).includes('a1')), "a guardian of a1 whose agents include a1");
  need(ofRole('guardian').length >= 1 && ofRole('guardian').every((g) => list(g.agentSourcedIds!).length > 0), 'guardians, each with agents');
  need(t.demographics!.rows.length >= 3, '≥3 demographics');
  for (const u of users) {
    for (const f of list(u['metadata.microsoft.userFlags'] ?? '')) need(FLAGS.includes(f), `user ${u.sourcedId}: flag "${f}" is not one SDS accepts`);
    need(Boolean(u.username && u.givenName && u.identifier && list(u.orgSourcedIds!).length), `user ${u.sourcedId}: username, givenName, identifier and an org`);
    if (u.role === 'student' || u.role === 'teacher') need(!u.username!.includes('@'), `user ${u.sourcedId}: username without '@'`);
  }
  const emails = ofRole('teacher').map((u) => u.email!.toLowerCase());
  need(emails.every(Boolean) && new Set(emails).size === emails.length && !users.some((u) => u.role !== 'teacher' && emails.includes(u.email!.toLowerCase())), 'teachers with unique emails');
  need(/^\d{4}$/.test(d.schoolYear) && t.academicSessions!.rows.every((s) => s.schoolYear === d.schoolYear), 'a 4-digit SchoolYear used by the academic sessions');
  need(enrollments.filter((e) => e.classSourcedId === d.classId && e.role === 'student').length >= 3, `≥3 students in class ${d.classId}`);
  need(!enrollments.some((e) => e.userSourcedId === d.tombstoned.user) && !users.some((u) => list(u.agentSourcedIds!).includes(d.tombstoned.user)), 'the tombstoned user is referenced by nothing');
  if (problems.length) throw new Error(`conformance dataset does not meet the SDS collection's needs:\n  - ${problems.join('\n  - ')}`);
}
