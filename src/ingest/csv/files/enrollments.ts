import { ENROLLMENT_ROLES } from '../../../model/vocab.js';
import { BASE, type CsvFileSpec } from './spec.js';

const all = [...BASE, 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate'];
const required = ['sourcedId', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role'];

export const enrollmentsCsv: CsvFileSpec = {
  file: 'enrollments.csv',
  manifestKey: 'file.enrollments',
  target: 'enrollments',
  versions: ['1.1', '1.2'],
  columns: { '1.1': { all, required }, '1.2': { all, required } },
  map: (r, ctx) => {
    const beginDate = r.date('beginDate');
    const endDate = r.date('endDate');
    if (beginDate && endDate && endDate < beginDate) r.problem('endDate', endDate, `is before beginDate ${beginDate}`);
    return {
      class: r.ref('classSourcedId', 'class', true),
      school: r.ref('schoolSourcedId', 'org', true),
      user: r.ref('userSourcedId', 'user', true),
      role: r.oneOf('role', ENROLLMENT_ROLES, true, ctx.version === '1.2'),
      primary: r.bool('primary'),
      beginDate,
      endDate,
    };
  },
};
