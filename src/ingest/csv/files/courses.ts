import { BASE, type CsvFileSpec } from './spec.js';

const all = [...BASE, 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'];

export const coursesCsv: CsvFileSpec = {
  file: 'courses.csv',
  manifestKey: 'file.courses',
  target: 'courses',
  versions: ['1.1', '1.2'],
  columns: {
    '1.1': { all, required: ['sourcedId', 'title', 'orgSourcedId'] },
    '1.2': { all, required: ['sourcedId', 'title', 'courseCode', 'orgSourcedId'] },
  },
  map: (r, ctx) => ({
    title: r.str('title', true),
    schoolYear: r.ref('schoolYearSourcedId', 'academicSession'),
    courseCode: r.str('courseCode', ctx.version === '1.2'),
    grades: r.list('grades'),
    subjects: r.list('subjects'),
    subjectCodes: r.list('subjectCodes'),
    org: r.ref('orgSourcedId', 'org', true),
  }),
};
