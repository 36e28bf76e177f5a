import { CLASS_TYPES } from '../../../model/vocab.js';
import { BASE, type CsvFileSpec } from './spec.js';

const all = [
  ...BASE, 'title', 'grades', 'courseSourcedId', 'classCode', 'classType', 'location', 'schoolSourcedId', 'termSourcedIds',
  'subjects', 'subjectCodes', 'periods',
];
const required = ['sourcedId', 'title', 'courseSourcedId', 'schoolSourcedId', 'termSourcedIds'];

export const classesCsv: CsvFileSpec = {
  file: 'classes.csv',
  manifestKey: 'file.classes',
  target: 'classes',
  versions: ['1.1', '1.2'],
  columns: { '1.1': { all, required: [...required, 'classType'] }, '1.2': { all, required } },
  map: (r, ctx) => ({
    title: r.str('title', true),
    classCode: r.str('classCode'),
    classType: r.oneOf('classType', CLASS_TYPES, ctx.version === '1.1', ctx.version === '1.2'),
    location: r.str('location'),
    grades: r.list('grades'),
    subjects: r.list('subjects'),
    subjectCodes: r.list('subjectCodes'),
    periods: r.list('periods'),
    course: r.ref('courseSourcedId', 'course', true),
    school: r.ref('schoolSourcedId', 'org', true),
    terms: r.refs('termSourcedIds', 'academicSession', true),
  }),
};
