import { courseFor } from './course-catalog.js';
import type { DemoContext } from './demo-context.js';
import { openCsv } from './demo-context.js';
import { courseId, schoolId } from './identifiers.js';
import { YEAR } from './school-year.js';

/** One course per school, grade and schedule slot. */
export async function writeCourses(ctx: DemoContext): Promise<number> {
  const { plan } = ctx;
  const file = await openCsv(ctx, 'courses.csv');
  for (const school of plan.schools) {
    for (const group of school.grades) {
      for (let slot = 0; slot < plan.slots; slot++) {
        const course = courseFor(school.level, group.grade, slot);
        await file.row([
          courseId(school.index, group.grade, slot),
          'active',
          '',
          YEAR.sourcedId,
          course.title,
          course.courseCode,
          group.grade,
          schoolId(school.index),
          course.subject,
          course.subjectCode,
        ]);
      }
    }
  }
  return file.close();
}
