import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { writeDemoCsv, type DemoSummary } from '../../src/demo/generate.js';

type Row = Record<string, string>;

const FILES = [
  'manifest.csv',
  'orgs.csv',
  'academicSessions.csv',
  'courses.csv',
  'classes.csv',
  'users.csv',
  'enrollments.csv',
  'demographics.csv',
];

const HEADERS: Record<string, string> = {
  'manifest.csv': 'propertyName,value',
  'orgs.csv': 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId',
  'academicSessions.csv':
    'sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear',
  'courses.csv':
    'sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes',
  'classes.csv':
    'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods',
  'users.csv':
    'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,metadata.microsoft.userFlags',
  'enrollments.csv':
    'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate',
  'demographics.csv':
    'sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus',
};

const MANIFEST = [
  ['manifest.version', '1.0'],
  ['oneroster.version', '1.1'],
  ['file.academicSessions', 'bulk'],
  ['file.categories', 'absent'],
  ['file.classes', 'bulk'],
  ['file.classResources', 'absent'],
  ['file.courses', 'bulk'],
  ['file.courseResources', 'absent'],
  ['file.demographics', 'bulk'],
  ['file.enrollments', 'bulk'],
  ['file.lineItems', 'absent'],
  ['file.orgs', 'bulk'],
  ['file.resources', 'absent'],
  ['file.results', 'absent'],
  ['file.users', 'bulk'],
  ['source.systemName', 'Rollcall demo'],
  ['source.systemCode', 'rollcall-demo'],
];

const USER_FLAGS = new Set(['freeLunch', 'homeless', 'giftedOrTalented', '504', 'ELL', 'LEP', 'IEP']);
const STUDENTS = 300;

const list = (cell: string) => (cell === '' ? [] : cell.split(','));
const byId = (rows: Row[]) => new Map(rows.map((r) => [r.sourcedId, r]));

function readText(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

function readRows(dir: string, file: string): Row[] {
  return parse(readText(dir, file), { columns: true }) as Row[];
}

describe('demo district generator (OneRoster 1.1 CSV)', () => {
  const root = fs.mkdtempSync(os.tmpdir() + '/demo-');
  const dirA = path.join(root, 'seed1-a');
  const dirB = path.join(root, 'seed1-b');
  const dirOther = path.join(root, 'seed2');
  let summary: DemoSummary;
  const rows: Record<string, Row[]> = {};

  before(async () => {
    summary = await writeDemoCsv(dirA, { students: STUDENTS, seed: 1 });
    await writeDemoCsv(dirB, { students: STUDENTS, seed: 1 });
    await writeDemoCsv(dirOther, { students: STUDENTS, seed: 2 });
    for (const file of FILES) rows[file] = readRows(dirA, file);
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes byte-identical files for the same seed and different files for another seed', () => {
    for (const file of FILES) assert.equal(readText(dirA, file), readText(dirB, file), file);
    assert.notEqual(readText(dirA, 'users.csv'), readText(dirOther, 'users.csv'));
  });

  it('writes exactly the OneRoster 1.1 headers, \\n line endings, and the summary counts rows', () => {
    for (const file of FILES) {
      const text = readText(dirA, file);
      assert.equal(text.slice(0, text.indexOf('\n')), HEADERS[file], file);
      assert.ok(!text.includes('\r'), `${file} has \\r`);
      assert.ok(rows[file].length >= 3, `${file} has fewer than 3 rows`);
      assert.equal(summary[file], rows[file].length, file);
    }
  });

  it('writes the manifest of a bulk 1.1 export', () => {
    assert.deepEqual(
      rows['manifest.csv'].map((r) => [r.propertyName, r.value]),
      MANIFEST,
    );
  });

  it('marks every row active, leaves dateLastModified and password blank', () => {
    for (const file of FILES.filter((f) => f !== 'manifest.csv')) {
      for (const r of rows[file]) {
        assert.equal(r.status, 'active', file);
        assert.equal(r.dateLastModified, '', file);
      }
    }
    for (const u of rows['users.csv']) assert.equal(u.password, '');
  });

  it('uses position-based sourcedIds with the agreed prefixes', () => {
    const prefixes: Record<string, RegExp> = {
      'orgs.csv': /^org-/,
      'academicSessions.csv': /^as-/,
      'courses.csv': /^crs-/,
      'classes.csv': /^cls-/,
      'users.csv': /^usr-(stu|gdn|tch|adm|aide)-/,
      'enrollments.csv': /^enr-/,
      'demographics.csv': /^usr-stu-/,
    };
    for (const [file, prefix] of Object.entries(prefixes)) {
      const ids = rows[file].map((r) => r.sourcedId);
      assert.equal(new Set(ids).size, ids.length, `${file} has duplicate sourcedIds`);
      for (const id of ids) {
        assert.match(id, prefix, file);
        assert.ok(!id.toLowerCase().includes('a1'), `${id} contains a1`);
      }
    }
  });

  it('builds one district of elementary, middle and high schools', () => {
    const orgs = rows['orgs.csv'];
    const districts = orgs.filter((o) => o.type === 'district');
    assert.deepEqual(districts.map((d) => d.sourcedId), ['org-district']);
    const schools = orgs.filter((o) => o.type === 'school');
    assert.equal(schools.length, orgs.length - 1);
    for (const s of schools) {
      assert.equal(s.parentSourcedId, 'org-district');
      assert.match(s.identifier, /^\d{12}$/);
    }
    const gradesTaught = new Set(rows['courses.csv'].map((c) => c.grades));
    for (const g of ['KG', '01', '05', '06', '08', '09', '12']) assert.ok(gradesTaught.has(g), `no grade ${g}`);
  });

  it('has a school year with two terms and four grading periods whose dates nest', () => {
    const sessions = byId(rows['academicSessions.csv']);
    const types = rows['academicSessions.csv'].map((s) => s.type).sort();
    assert.deepEqual(types, ['gradingPeriod', 'gradingPeriod', 'gradingPeriod', 'gradingPeriod', 'schoolYear', 'term', 'term']);
    const year = rows['academicSessions.csv'].find((s) => s.type === 'schoolYear')!;
    assert.deepEqual([year.title, year.schoolYear, year.startDate, year.endDate], ['2026-2027', '2027', '2026-08-17', '2027-06-18']);
    for (const s of rows['academicSessions.csv']) {
      assert.equal(s.schoolYear, '2027');
      assert.ok(s.startDate < s.endDate, s.sourcedId);
      if (s.type === 'schoolYear') continue;
      const parent = sessions.get(s.parentSourcedId);
      assert.ok(parent, `${s.sourcedId} parent`);
      assert.equal(parent.type, s.type === 'term' ? 'schoolYear' : 'term');
      assert.ok(parent.startDate <= s.startDate && s.endDate <= parent.endDate, `${s.sourcedId} outside its parent`);
    }
  });

  it('resolves every reference to a row of the right file', () => {
    const orgs = byId(rows['orgs.csv']);
    const sessions = byId(rows['academicSessions.csv']);
    const courses = byId(rows['courses.csv']);
    const classes = byId(rows['classes.csv']);
    const users = byId(rows['users.csv']);
    const isSchool = (id: string) => orgs.get(id)?.type === 'school';

    for (const o of rows['orgs.csv']) if (o.parentSourcedId) assert.ok(orgs.has(o.parentSourcedId));
    for (const c of rows['courses.csv']) {
      assert.equal(sessions.get(c.schoolYearSourcedId)?.type, 'schoolYear');
      assert.ok(isSchool(c.orgSourcedId), c.sourcedId);
    }
    for (const c of rows['classes.csv']) {
      const course = courses.get(c.courseSourcedId);
      assert.ok(course, c.sourcedId);
      assert.equal(course.orgSourcedId, c.schoolSourcedId);
      assert.equal(course.grades, c.grades);
      assert.ok(isSchool(c.schoolSourcedId), c.sourcedId);
      const terms = list(c.termSourcedIds);
      assert.ok(terms.length >= 1 && terms.length <= 2, c.sourcedId);
      for (const t of terms) assert.equal(sessions.get(t)?.type, 'term', c.sourcedId);
      assert.ok(['scheduled', 'homeroom'].includes(c.classType));
    }
    for (const u of rows['users.csv']) {
      assert.ok(list(u.orgSourcedIds).length >= 1, u.sourcedId);
      for (const org of list(u.orgSourcedIds)) assert.ok(orgs.has(org), `${u.sourcedId} org ${org}`);
      for (const agent of list(u.agentSourcedIds)) assert.ok(users.has(agent), `${u.sourcedId} agent ${agent}`);
    }
    for (const e of rows['enrollments.csv']) {
      const cls = classes.get(e.classSourcedId);
      assert.ok(cls, e.sourcedId);
      assert.equal(e.schoolSourcedId, cls.schoolSourcedId);
      const user = users.get(e.userSourcedId);
      assert.ok(user, e.sourcedId);
      assert.equal(user.role, e.role);
      assert.ok(list(user.orgSourcedIds).includes(cls.schoolSourcedId), `${e.sourcedId}: user not at the school`);
      if (e.role === 'student') assert.equal(user.grades, cls.grades, `${e.sourcedId}: wrong grade`);
    }
    for (const d of rows['demographics.csv']) assert.equal(users.get(d.sourcedId)?.role, 'student');
  });

  it('links students and guardians both ways through agentSourcedIds', () => {
    const users = byId(rows['users.csv']);
    let links = 0;
    for (const u of rows['users.csv']) {
      const agents = list(u.agentSourcedIds);
      if (u.role === 'student') assert.ok(agents.length <= 2, u.sourcedId);
      if (u.role === 'guardian') assert.ok(agents.length >= 1, u.sourcedId);
      if (!['student', 'guardian'].includes(u.role)) assert.equal(agents.length, 0);
      for (const a of agents) {
        const agent = users.get(a)!;
        assert.equal(agent.role, u.role === 'student' ? 'guardian' : 'student');
        assert.ok(list(agent.agentSourcedIds).includes(u.sourcedId), `${a} does not list ${u.sourcedId}`);
        links++;
      }
    }
    assert.ok(links > 0);
    const guardians = rows['users.csv'].filter((u) => u.role === 'guardian').length;
    assert.ok(Math.abs(guardians - STUDENTS * 0.9) < STUDENTS * 0.15, `${guardians} guardians`);
  });

  it('enrolls each student in about classesPerStudent classes of its school and grade', () => {
    const perStudent = new Map<string, number>();
    for (const e of rows['enrollments.csv']) {
      if (e.role !== 'student') continue;
      assert.ok(e.primary === '' || e.primary === 'false');
      perStudent.set(e.userSourcedId, (perStudent.get(e.userSourcedId) ?? 0) + 1);
    }
    const students = rows['users.csv'].filter((u) => u.role === 'student');
    assert.equal(students.length, STUDENTS);
    for (const s of students) {
      const n = perStudent.get(s.sourcedId) ?? 0;
      assert.ok(n >= 7 && n <= 9, `${s.sourcedId} has ${n} enrollments`);
    }
  });

  it('gives every class exactly one primary teacher and 1–32 students', () => {
    const primaries = new Map<string, number>();
    const sizes = new Map<string, number>();
    for (const e of rows['enrollments.csv']) {
      if (e.role === 'teacher' && e.primary === 'true') primaries.set(e.classSourcedId, (primaries.get(e.classSourcedId) ?? 0) + 1);
      if (e.role === 'student') sizes.set(e.classSourcedId, (sizes.get(e.classSourcedId) ?? 0) + 1);
    }
    for (const c of rows['classes.csv']) {
      assert.equal(primaries.get(c.sourcedId), 1, c.sourcedId);
      const size = sizes.get(c.sourcedId) ?? 0;
      assert.ok(size >= 1 && size <= 32, `${c.sourcedId} has ${size} students`);
    }
    assert.ok(rows['enrollments.csv'].some((e) => e.role === 'teacher' && e.primary === 'false'), 'no co-teacher');
  });

  it('fills user fields the way a SIS would', () => {
    const roles = new Set(rows['users.csv'].map((u) => u.role));
    for (const r of ['student', 'guardian', 'teacher', 'administrator', 'aide']) assert.ok(roles.has(r), r);
    const usernames = new Set<string>();
    for (const u of rows['users.csv']) {
      for (const field of ['username', 'givenName', 'familyName', 'identifier', 'orgSourcedIds']) {
        assert.notEqual(u[field], '', `${u.sourcedId} ${field}`);
      }
      assert.ok(!u.username.includes('@'), u.username);
      assert.ok(!usernames.has(u.username), `duplicate ${u.username}`);
      usernames.add(u.username);
      assert.ok(['true', 'false'].includes(u.enabledUser));
      assert.equal(u.userIds, `{SIS:${u.identifier}}`);
      for (const flag of list(u['metadata.microsoft.userFlags'])) assert.ok(USER_FLAGS.has(flag), flag);
      if (u.role === 'student') {
        assert.match(u.grades, /^(KG|0[1-9]|1[0-2])$/);
        assert.match(u.email, /^[a-z]+\.[a-z]+\d+@students\.rollcall-demo\.org$/);
      } else {
        assert.equal(u.grades, '');
        assert.equal(u['metadata.microsoft.userFlags'], '');
      }
    }
    const flagged = rows['users.csv'].filter((u) => u['metadata.microsoft.userFlags'] !== '').length;
    assert.ok(flagged > STUDENTS * 0.05 && flagged < STUDENTS * 0.3, `${flagged} students with flags`);
  });

  it('writes one plausible demographics row per student', () => {
    const users = byId(rows['users.csv']);
    assert.equal(rows['demographics.csv'].length, STUDENTS);
    for (const d of rows['demographics.csv']) {
      assert.ok(['male', 'female'].includes(d.sex));
      const races = ['americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white'];
      for (const field of [...races, 'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity']) {
        assert.ok(['true', 'false'].includes(d[field]), field);
      }
      assert.match(d.countryOfBirthCode, /^[A-Z]{2}$/);
      const grade = users.get(d.sourcedId)!.grades;
      const ageOnSept1 = 2026 - Number(d.birthDate.slice(0, 4)) - (d.birthDate.slice(5) > '09-01' ? 1 : 0);
      const expected = (grade === 'KG' ? 0 : Number(grade)) + 5;
      assert.ok(Math.abs(ageOnSept1 - expected) <= 1, `${d.sourcedId}: born ${d.birthDate}, grade ${grade}`);
    }
  });
});
