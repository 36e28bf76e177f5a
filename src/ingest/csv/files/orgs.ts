import { ORG_TYPES } from '../../../model/vocab.js';
import { BASE, type CsvFileSpec } from './spec.js';

const all = [...BASE, 'name', 'type', 'identifier', 'parentSourcedId'];

export const orgsCsv: CsvFileSpec = {
  file: 'orgs.csv',
  manifestKey: 'file.orgs',
  target: 'orgs',
  fillsContext: true,
  versions: ['1.1', '1.2'],
  columns: { '1.1': { all, required: ['sourcedId', 'name', 'type'] }, '1.2': { all, required: ['sourcedId', 'name', 'type'] } },
  map: (r, ctx) => ({
    name: r.str('name', true),
    type: r.oneOf('type', ORG_TYPES, true, ctx.version === '1.2'),
    identifier: r.str('identifier'),
    parent: r.ref('parentSourcedId', 'org'),
  }),
};
