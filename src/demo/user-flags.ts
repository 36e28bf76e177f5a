import type { Random } from './random.js';

/** Microsoft School Data Sync student flags, in their exact casing. */
export const USER_FLAGS = ['freeLunch', 'homeless', 'giftedOrTalented', '504', 'ELL', 'LEP', 'IEP'] as const;

const STUDENTS_WITH_FLAGS = 0.15;
const FLAG_WEIGHTS = [0.45, 0.02, 0.12, 0.06, 0.18, 0.04, 0.13];
const SECOND_FLAG_ODDS = 0.25;

/** '' for most students; otherwise one or two flags, comma-separated without spaces, in USER_FLAGS order. */
export function drawUserFlags(random: Random): string {
  if (!random.chance(STUDENTS_WITH_FLAGS)) return '';
  const first = random.weighted(FLAG_WEIGHTS);
  const second = random.chance(SECOND_FLAG_ODDS) ? random.weighted(FLAG_WEIGHTS) : first;
  if (second === first) return USER_FLAGS[first];
  return [Math.min(first, second), Math.max(first, second)].map((i) => USER_FLAGS[i]).join(',');
}
