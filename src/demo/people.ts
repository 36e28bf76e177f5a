import type { NamePool, NamePools } from './name-pools.js';
import type { Random } from './random.js';

/**
 * Names, usernames and contact details of demo users. Every user has a unique number (students
 * from 1000001, guardians from 5000001, staff from 8000001); usernames end with it, which keeps
 * them unique without remembering the names already used.
 */
export const studentNumber = (student: number) => String(1_000_001 + student);
export const guardianNumber = (guardian: number) => String(5_000_001 + guardian);
export const staffNumber = (staff: number) => String(8_000_001 + staff);

export const EMAIL_DOMAINS = {
  student: 'students.rollcall-demo.org',
  guardian: 'families.rollcall-demo.org',
  staff: 'rollcall-demo.org',
} as const;

export type Person = {
  givenName: string;
  middleName: string;
  familyName: string;
  username: string;
  email: string;
};

export type PersonDraw = {
  female: boolean;
  /** Index into the family-name pool, or undefined for a random one. */
  familyName?: number;
  number: string;
  domain: string;
  middleNameOdds: number;
};

export function drawPerson(pools: NamePools, random: Random, draw: PersonDraw): Person {
  const given: NamePool = draw.female ? pools.female : pools.male;
  const g = random.int(given.names.length);
  const f = draw.familyName ?? random.int(pools.family.names.length);
  const middleName = random.chance(draw.middleNameOdds) ? random.pick(given.names) : '';
  const username = `${given.handles[g]}.${pools.family.handles[f]}${draw.number}`;
  return {
    givenName: given.names[g],
    middleName,
    familyName: pools.family.names[f],
    username,
    email: `${username}@${draw.domain}`,
  };
}

/** A fictional US phone number (555-01xx is reserved for fiction), e.g. +12135550147. */
export function drawPhone(random: Random): string {
  const area = random.pick(['213', '310', '323', '562', '626', '818']);
  return `+1${area}55501${String(random.int(100)).padStart(2, '0')}`;
}
