import { SESSION_TYPES } from '../../../model/vocab.js';
import { BASE, type CsvFileSpec } from './spec.js';

const all = [...BASE, 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'];
const required = ['sourcedId', 'title', 'type', 'startDate', 'endDate', 'schoolYear'];

export const academicSessionsCsv: CsvFileSpec = {
  file: 'academicSessions.csv',
  manifestKey: 'file.academicSessions',
  target: 'academicSessions',
  versions: ['1.1', '1.2'],
  columns: { '1.1': { all, required }, '1.2': { all, required } },
  map: (r, ctx) => {
    const startDate = r.date('startDate', true);
    const endDate = r.date('endDate', true);
    if (startDate && endDate && endDate < startDate) r.problem('endDate', endDate, `is before startDate ${startDate}`);
    return {
      title: r.str('title', true),
      type: r.oneOf('type', SESSION_TYPES, true, ctx.version === '1.2'),
      startDate,
      endDate,
      parent: r.ref('parentSourcedId', 'academicSession'),
      schoolYear: r.year('schoolYear', true),
    };
  },
};
