import { ROLE_TYPES, ROLES_V1P2 } from '../../../model/vocab.js';
import { BASE, profileUri, type CsvFileSpec } from './spec.js';

/** 1.2 roles.csv: one row per user role, folded into the user's `roles`. */
export const rolesCsv: CsvFileSpec = {
  file: 'roles.csv',
  manifestKey: 'file.roles',
  target: 'roles',
  fillsContext: true,
  versions: ['1.2'],
  columns: {
    '1.2': {
      all: [...BASE, 'userSourcedId', 'roleType', 'role', 'beginDate', 'endDate', 'orgSourcedId', 'userProfileSourcedId'],
      required: ['sourcedId', 'userSourcedId', 'roleType', 'role', 'orgSourcedId'],
    },
  },
  map: (r) => ({
    userSourcedId: r.id('userSourcedId', true),
    role: {
      roleType: r.oneOf('roleType', ROLE_TYPES, true),
      role: r.oneOf('role', ROLES_V1P2, true, true),
      org: r.ref('orgSourcedId', 'org', true),
      userProfile: profileUri(r.str('userProfileSourcedId')),
      beginDate: r.date('beginDate'),
      endDate: r.date('endDate'),
    },
  }),
};
