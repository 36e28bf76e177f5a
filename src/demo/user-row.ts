import type { Person } from './people.js';

/** One row of users.csv; `userCells` puts the fields in the OneRoster 1.1 column order. */
export type UserRow = {
  sourcedId: string;
  enabled: boolean;
  orgSourcedIds: readonly string[];
  role: 'student' | 'guardian' | 'teacher' | 'administrator' | 'aide';
  person: Person;
  /** The SIS number: goes into `identifier` and `userIds` as {SIS:number}. */
  number: string;
  sms: string;
  phone: string;
  agentSourcedIds: readonly string[];
  grade: string;
  userFlags: string;
};

export function userCells(u: UserRow): string[] {
  return [
    u.sourcedId,
    'active',
    '',
    u.enabled ? 'true' : 'false',
    u.orgSourcedIds.join(','),
    u.role,
    u.person.username,
    `{SIS:${u.number}}`,
    u.person.givenName,
    u.person.familyName,
    u.person.middleName,
    u.number,
    u.person.email,
    u.sms,
    u.phone,
    u.agentSourcedIds.join(','),
    u.grade,
    '',
    u.userFlags,
  ];
}
