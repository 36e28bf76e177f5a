import { coTeacherOf, leadTeacherOf, sectionOf, type ClassPlace } from './class-schedule.js';
import { courseFor, type Term } from './course-catalog.js';
import type { CsvFile } from './csv-file.js';
import type { DemoContext } from './demo-context.js';
import { openCsv } from './demo-context.js';
import { classId, enrollmentId, schoolId, studentId, teacherId } from './identifiers.js';
import { TERMS_OF } from './school-year.js';

/** Enrollment dates: blank for full-year classes, the term's dates for one-term classes. */
function datesOf(term: Term): [string, string] {
  if (term === 'year') return ['', ''];
  const [session] = TERMS_OF[term];
  return [session.startDate, session.endDate];
}

class EnrollmentRows {
  private next = 0;
  constructor(private readonly file: CsvFile) {}

  add(classSourcedId: string, school: string, user: string, role: string, primary: string, dates: [string, string]) {
    const id = enrollmentId(this.next++);
    return this.file.row([id, 'active', '', classSourcedId, school, user, role, primary, dates[0], dates[1]]);
  }
}

async function writeTeachers(rows: EnrollmentRows, place: ClassPlace): Promise<void> {
  const { school, group, slots } = place;
  const org = schoolId(school.index);
  for (let slot = 0; slot < slots; slot++) {
    const dates = datesOf(courseFor(school.level, group.grade, slot).term);
    for (let section = 0; section < group.sections; section++) {
      const cls = classId(school.index, group.grade, slot, section);
      const lead = leadTeacherOf(place, slot, section);
      await rows.add(cls, org, teacherId(school.firstTeacher + lead), 'teacher', 'true', dates);
      const co = coTeacherOf(school, lead);
      if (co !== undefined) await rows.add(cls, org, teacherId(school.firstTeacher + co), 'teacher', 'false', dates);
    }
  }
}

async function writeStudents(rows: EnrollmentRows, place: ClassPlace): Promise<void> {
  const { school, group, slots } = place;
  const org = schoolId(school.index);
  const dates = Array.from({ length: slots }, (_, slot) => datesOf(courseFor(school.level, group.grade, slot).term));
  const classIds = Array.from({ length: slots }, (_, slot) =>
    Array.from({ length: group.sections }, (_, section) => classId(school.index, group.grade, slot, section)),
  );
  for (let position = 0; position < group.students; position++) {
    const user = studentId(group.firstStudent + position);
    for (let slot = 0; slot < slots; slot++) {
      const cls = classIds[slot][sectionOf(place, slot, position)];
      await rows.add(cls, org, user, 'student', 'false', dates[slot]);
    }
  }
}

/** School by school and grade by grade: the teachers of every class, then the students. */
export async function writeEnrollments(ctx: DemoContext): Promise<number> {
  const file = await openCsv(ctx, 'enrollments.csv');
  const rows = new EnrollmentRows(file);
  for (const school of ctx.plan.schools) {
    for (const group of school.grades) {
      const place: ClassPlace = { school, group, slots: ctx.plan.slots };
      await writeTeachers(rows, place);
      await writeStudents(rows, place);
    }
  }
  return file.close();
}
