import { leadTeacherOf, periodOf, roomOf, type ClassPlace } from './class-schedule.js';
import { courseFor } from './course-catalog.js';
import type { DemoContext } from './demo-context.js';
import { openCsv } from './demo-context.js';
import { classId, courseId, schoolId } from './identifiers.js';
import { TERMS_OF } from './school-year.js';

/** One class per section of every course; see class-schedule.ts for periods and rooms. */
export async function writeClasses(ctx: DemoContext): Promise<number> {
  const { plan } = ctx;
  const file = await openCsv(ctx, 'classes.csv');
  for (const school of plan.schools) {
    for (const group of school.grades) {
      const place: ClassPlace = { school, group, slots: plan.slots };
      for (let slot = 0; slot < plan.slots; slot++) {
        const course = courseFor(school.level, group.grade, slot);
        const terms = TERMS_OF[course.term].map((t) => t.sourcedId).join(',');
        for (let section = 0; section < group.sections; section++) {
          await file.row([
            classId(school.index, group.grade, slot, section),
            'active',
            '',
            `${course.title} - Section ${section + 1}`,
            group.grade,
            courseId(school.index, group.grade, slot),
            `${course.courseCode}-${String(section + 1).padStart(2, '0')}`,
            course.classType,
            roomOf(leadTeacherOf(place, slot, section)),
            schoolId(school.index),
            terms,
            course.subject,
            course.subjectCode,
            String(periodOf(place, slot, section)),
          ]);
        }
      }
    }
  }
  return file.close();
}
