import { ROLES_V1P1, roleFromV1p1 } from '../../../model/vocab.js';
import type { RowReader } from '../row-reader.js';
import { BASE, type CsvFileSpec, type MapContext } from './spec.js';

const COMMON = [
  'enabledUser', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone',
  'agentSourcedIds', 'grades', 'password',
];
const V1P2_ONLY = [
  'userMasterIdentifier', 'preferredGivenName', 'preferredMiddleName', 'preferredFamilyName', 'primaryOrgSourcedId', 'pronouns',
];

/**
 * Fields both versions share, in the canonical record's key order. `password` is never stored.
 * Each version adds its own fields to this object after these (in place: spreading it into a new
 * object took a quarter of a users row's mapping).
 */
function person(r: RowReader): Record<string, unknown> {
  return {
    username: r.str('username'),
    userIds: r.userIds('userIds'),
    enabledUser: r.bool('enabledUser', true),
    givenName: r.str('givenName', true),
    familyName: r.str('familyName', true),
    middleName: r.str('middleName'),
    identifier: r.str('identifier'),
    email: r.str('email'),
    sms: r.str('sms'),
    phone: r.str('phone'),
    agents: r.refs('agentSourcedIds', 'user'),
    grades: r.list('grades'),
  };
}

function mapV1p1(r: RowReader, ctx: MapContext) {
  const record = person(r);
  if (record.username === undefined) r.problem('username', '', 'is required');
  const role = r.oneOf('role', ROLES_V1P1, true);
  const orgs = r.refs('orgSourcedIds', 'org', true) ?? [];
  record.roles = role ? orgs.map((org) => ({ roleType: 'primary', role: roleFromV1p1(role, ctx.orgTypes.get(org.sourcedId)), org })) : undefined;
  record.primaryOrg = orgs[0];
  return record;
}

function mapV1p2(r: RowReader, ctx: MapContext) {
  const sourcedId = r.raw('sourcedId') ?? '';
  const roles = ctx.rolesByUser.get(sourcedId);
  if (!roles?.length) r.problem('sourcedId', sourcedId, 'has no roles in roles.csv (a 1.2 user needs at least one)');
  const record = person(r);
  record.userMasterIdentifier = r.str('userMasterIdentifier');
  record.preferredFirstName = r.str('preferredGivenName');
  record.preferredMiddleName = r.str('preferredMiddleName');
  record.preferredLastName = r.str('preferredFamilyName');
  record.pronouns = r.str('pronouns');
  record.roles = roles;
  record.primaryOrg = r.ref('primaryOrgSourcedId', 'org');
  record.userProfiles = ctx.profilesByUser.get(sourcedId);
  return record;
}

export const usersCsv: CsvFileSpec = {
  file: 'users.csv',
  manifestKey: 'file.users',
  target: 'users',
  readsContext: true,
  versions: ['1.1', '1.2'],
  columns: {
    '1.1': {
      all: [...BASE, 'orgSourcedIds', 'role', ...COMMON],
      required: ['sourcedId', 'enabledUser', 'orgSourcedIds', 'role', 'username', 'givenName', 'familyName'],
    },
    '1.2': { all: [...BASE, ...COMMON, ...V1P2_ONLY], required: ['sourcedId', 'enabledUser', 'givenName', 'familyName'] },
  },
  map: (r, ctx) => (ctx.version === '1.2' ? mapV1p2(r, ctx) : mapV1p1(r, ctx)),
};
