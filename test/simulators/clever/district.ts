import { Faker, en } from '@faker-js/faker';
import type {
  CleverCourse, CleverDistrict, CleverSchool, CleverSection, CleverTerm, CleverUser,
} from '../../../src/ingest/connectors/clever/wire.js';

/**
 * A deterministic Clever district in Clever v3.0's shapes (faker with a seed): schools, terms,
 * courses, teachers, staff, district admins, students (some without email, as when a district
 * does not share them), contacts with student relationships, and sections whose students and
 * teachers make the enrollments. Ids are 24 hex digits that sort in creation order, like Clever's.
 */
export interface DistrictOptions {
  seed?: number;
  students: number;
  studentsPerSchool?: number;
  /** Students Clever sends without an email (the first N of each… spread over the district). */
  studentsWithoutEmail?: number;
  /** Share of students with a contact (default 0.35); every 7th contact has two children. */
  contactShare?: number;
  /** Sections without a course (the first N) and without a term (the last N). */
  sectionsWithoutCourse?: number;
  sectionsWithoutTerm?: number;
}

export type SimUser = CleverUser & { created: string; last_modified: string } & Record<string, unknown>;
export type SimSection = CleverSection & Record<string, unknown>;

export interface DistrictData {
  district: CleverDistrict & Record<string, unknown>;
  schools: Array<CleverSchool & Record<string, unknown>>;
  terms: Array<CleverTerm & Record<string, unknown>>;
  courses: Array<CleverCourse & Record<string, unknown>>;
  sections: SimSection[];
  users: SimUser[];
}

/** Ids like Clever's (Mongo ObjectIds): a fixed 8-digit prefix per seed and a counter, so they sort by creation. */
export class IdSource {
  private n = 0;
  private readonly prefix: string;
  constructor(seed: number) {
    this.prefix = (0x5f000000 + ((seed * 7919) % 0xffffff)).toString(16).padStart(8, '0');
  }
  next(): string {
    return `${this.prefix}${(++this.n).toString(16).padStart(16, '0')}`;
  }
}

const LEVELS = [
  { kind: 'Elementary', grades: ['Kindergarten', '1', '2', '3', '4', '5'], subjects: ['Math', 'English Language Arts', 'Science', 'Social Studies'] },
  { kind: 'Middle', grades: ['6', '7', '8'], subjects: ['Math', 'English Language Arts', 'Science', 'Social Studies'] },
  { kind: 'High', grades: ['9', '10', '11', '12'], subjects: ['Math', 'English Language Arts', 'Science', 'Social Studies'] },
] as const;
const SUBJECT_ENUM: Record<string, string> = { Math: 'math', 'English Language Arts': 'english/language arts', Science: 'science', 'Social Studies': 'social studies' };
const STAFF_TITLES = ['Counselor', 'Principal', 'Librarian', 'Paraprofessional', 'Office Manager', 'Assistant Principal', 'Nurse'];
const CREATED = '2024-07-01T12:00:00.000Z';
const SECTION_SIZE = 25;

export function generateDistrict(o: DistrictOptions): { data: DistrictData; ids: IdSource } {
  const seed = o.seed ?? 1;
  const f = new Faker({ locale: [en] });
  f.seed(seed);
  const ids = new IdSource(seed);
  const stamp = { created: CREATED, last_modified: CREATED };
  const domain = `${f.word.noun().toLowerCase()}.k12.us`;

  const districtId = ids.next();
  const district = { id: districtId, name: `${f.location.city()} Unified School District`, state: 'CA', nces_id: f.string.numeric(7), sis_type: 'PowerSchool', ...stamp };

  const perSchool = o.studentsPerSchool ?? 600;
  const schoolCount = Math.max(1, Math.ceil(o.students / perSchool));
  const schools = Array.from({ length: schoolCount }, (_, i) => {
    const level = LEVELS[i % LEVELS.length];
    return {
      id: ids.next(), district: districtId, name: `${f.person.lastName()} ${level.kind} School`, sis_id: String(100 + i), school_number: String(100 + i),
      state_id: `CA-${f.string.numeric(5)}`, nces_id: i === 1 ? null : f.string.numeric(12), low_grade: level.grades[0], high_grade: level.grades[level.grades.length - 1],
      phone: f.phone.number(), principal: { name: f.person.fullName(), email: null }, ...stamp,
    };
  });

  const terms = [
    { id: ids.next(), district: districtId, name: 'Fall 2024', start_date: '2024-08-19', end_date: '2024-12-20', ...stamp },
    { id: ids.next(), district: districtId, name: 'Spring 2025', start_date: '2025-01-06T00:00:00.000Z', end_date: '2025-06-06T00:00:00.000Z', ...stamp },
    { id: ids.next(), district: districtId, name: '2024-2025', start_date: '2024-08-19', end_date: '2025-06-06', ...stamp },
  ];

  const courses: DistrictData['courses'] = [];
  const courseOf = new Map<string, string>();
  for (const level of LEVELS) {
    for (const grade of level.grades) {
      for (const subject of level.subjects) {
        const id = ids.next();
        const g = grade === 'Kindergarten' ? 'K' : grade;
        courses.push({ id, district: districtId, name: `${subject} ${g}`, number: `${subject.slice(0, 3).toUpperCase()}-${g}`, ...stamp });
        courseOf.set(`${grade}|${subject}`, id);
      }
    }
  }

  const users: SimUser[] = [];
  const person = (role: string) => {
    const first = f.person.firstName();
    const last = f.person.lastName();
    return { first, last, middle: f.datatype.boolean(0.3) ? f.person.middleName() : null, username: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + role };
  };

  // Teachers, staff and district admins.
  const teachersBySchool = new Map<string, string[]>();
  let teacherNo = 0;
  for (const school of schools) {
    const list: string[] = [];
    const count = Math.max(2, Math.ceil(perSchool / 22));
    for (let i = 0; i < count; i++) {
      const p = person(String(++teacherNo));
      const id = ids.next();
      list.push(id);
      users.push({
        id, district: districtId, email: `${p.username}@${domain}`, name: { first: p.first, middle: p.middle, last: p.last },
        roles: {
          teacher: {
            legacy_id: id, sis_id: `T${1000 + teacherNo}`, state_id: `ST${f.string.numeric(6)}`, teacher_number: String(1000 + teacherNo), title: 'Teacher',
            district: districtId, school: school.id, schools: [school.id], credentials: { district_username: p.username }, ext: {}, ...stamp,
          },
        },
        ...stamp,
      } as SimUser);
    }
    teachersBySchool.set(school.id, list);
    for (let i = 0; i < 5; i++) {
      const p = person(`s${users.length}`);
      const id = ids.next();
      const title = STAFF_TITLES[(schools.indexOf(school) + i) % STAFF_TITLES.length];
      users.push({
        id, district: districtId, email: `${p.username}@${domain}`, name: { first: p.first, middle: null, last: p.last },
        roles: { staff: { legacy_id: id, staff_id: `E${f.string.numeric(5)}`, title, department: i === 4 ? 'Student Services' : null, roles: [], schools: [school.id], credentials: { district_username: p.username }, ext: {} } },
        ...stamp,
      } as SimUser);
    }
  }
  // One teacher is also staff (a department head at the district office).
  const firstTeacher = users[0];
  firstTeacher.roles!.staff = { staff_id: 'E00001', title: 'Department Head', department: 'Math', roles: [], schools: [], credentials: { district_username: 'dept.head' } } as never;
  for (const title of ['Superintendent', 'Director of Technology']) {
    const p = person('admin');
    const id = ids.next();
    users.push({ id, district: districtId, email: `${p.username}@${domain}`, name: { first: p.first, middle: null, last: p.last }, roles: { district_admin: { legacy_id: id, title } }, ...stamp } as SimUser);
  }

  // Students, school by school and grade by grade.
  const studentsBySchoolGrade = new Map<string, string[]>();
  const students: SimUser[] = [];
  let studentNo = 0;
  const withoutEmailEvery = o.studentsWithoutEmail ? Math.max(1, Math.floor(o.students / o.studentsWithoutEmail)) : 0;
  let withoutEmailLeft = o.studentsWithoutEmail ?? 0;
  for (let n = 0; n < o.students; n++) {
    const schoolIndex = Math.min(schoolCount - 1, Math.floor(n / perSchool));
    const school = schools[schoolIndex];
    const level = LEVELS[schoolIndex % LEVELS.length];
    const grade = level.grades[n % level.grades.length];
    const p = person(String(++studentNo));
    const id = ids.next();
    const noEmail = withoutEmailLeft > 0 && withoutEmailEvery > 0 && n % withoutEmailEvery === 0;
    if (noEmail) withoutEmailLeft--;
    const student = {
      id, district: districtId, email: noEmail ? null : `${p.username}@students.${domain}`, name: { first: p.first, middle: p.middle, last: p.last },
      roles: {
        student: {
          legacy_id: id, sis_id: `S${100000 + studentNo}`, state_id: f.string.numeric(10), student_number: String(100000 + studentNo),
          school: school.id, schools: [school.id], grade, graduation_year: null, dob: f.date.birthdate({ min: 5, max: 18, mode: 'age', refDate: '2024-09-01' }).toISOString().slice(0, 10),
          gender: f.helpers.arrayElement(['M', 'F', 'X']), ell_status: 'N', hispanic_ethnicity: 'N', race: null, home_language: 'English', iep_status: 'N',
          credentials: { district_username: p.username }, enrollments: [{ school: school.id, start_date: '2024-08-19T00:00:00.000Z', end_date: null }], ext: {}, ...stamp,
        },
      },
      ...stamp,
    } as SimUser;
    students.push(student);
    users.push(student);
    const key = `${school.id}|${grade}`;
    const list = studentsBySchoolGrade.get(key) ?? [];
    list.push(id);
    studentsBySchoolGrade.set(key, list);
  }

  // Contacts: parents of a share of the students; every 7th has two children.
  const share = o.contactShare ?? 0.35;
  let contactNo = 0;
  for (let i = 0; i < students.length; i++) {
    if (f.number.float({ min: 0, max: 1 }) >= share) continue;
    const kids = [students[i].id];
    if (++contactNo % 7 === 0 && i + 1 < students.length) kids.push(students[i + 1].id);
    const id = ids.next();
    const last = students[i].name!.last!;
    const first = f.person.firstName();
    users.push({
      id, district: districtId, email: f.datatype.boolean(0.8) ? `${first}.${last}${contactNo}@example.net`.toLowerCase() : null, name: { first, middle: null, last },
      roles: {
        contact: {
          legacy_id: id, sis_id: `C${200000 + contactNo}`, phone: f.phone.number(), phone_type: 'Cell',
          student_relationships: kids.map((student) => ({ student, relationship: f.helpers.arrayElement(['Parent', 'Guardian', 'Grandparent']), type: 'Parent/Guardian' })),
        },
      },
      ...stamp,
    } as SimUser);
  }
  // A teacher who is also a parent in the district.
  if (students.length > 2) {
    const t = users.find((u) => u.roles?.teacher && u !== firstTeacher)!;
    t.roles!.contact = { sis_id: `C${200000 + ++contactNo}`, phone: null, phone_type: null, student_relationships: [{ student: students[2].id, relationship: 'Parent', type: 'Parent/Guardian' }] } as never;
  }

  // Sections: per school, grade and subject, groups of SECTION_SIZE, taught round-robin.
  const sections: SimSection[] = [];
  for (const school of schools) {
    const level = LEVELS[schools.indexOf(school) % LEVELS.length];
    const teachers = teachersBySchool.get(school.id)!;
    let t = 0;
    for (const grade of level.grades) {
      const roster = studentsBySchoolGrade.get(`${school.id}|${grade}`) ?? [];
      for (const subject of level.subjects) {
        for (let start = 0, k = 1; start < roster.length; start += SECTION_SIZE, k++) {
          const teacher = teachers[t++ % teachers.length];
          const coTeacher = sections.length % 10 === 9 ? teachers[t % teachers.length] : undefined;
          const g = grade === 'Kindergarten' ? 'K' : grade;
          const term = subject === 'Science' ? terms[0] : subject === 'Social Studies' ? terms[1] : terms[2];
          sections.push({
            id: ids.next(), district: districtId, school: school.id, name: `${subject} ${g} - ${String(k).padStart(2, '0')}`, sis_id: `${school.sis_id}-${subject.slice(0, 3).toUpperCase()}${g}-${k}`,
            section_number: String(k), period: String(((k - 1) % 7) + 1), grade, subject: SUBJECT_ENUM[subject], course: courseOf.get(`${grade}|${subject}`)!,
            term_id: term.id, teacher, teachers: coTeacher && coTeacher !== teacher ? [teacher, coTeacher] : [teacher], students: roster.slice(start, start + SECTION_SIZE),
            ext: {}, ...stamp,
          });
        }
      }
    }
  }
  for (let i = 0; i < Math.min(o.sectionsWithoutCourse ?? 0, sections.length); i++) sections[i].course = null;
  for (let i = 0; i < Math.min(o.sectionsWithoutTerm ?? 0, sections.length); i++) sections[sections.length - 1 - i].term_id = null;

  users.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { data: { district, schools, terms, courses, sections, users }, ids };
}
