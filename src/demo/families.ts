import type { Random } from './random.js';

/**
 * Students grouped into families, with the guardians who link to them. Families are 1–3 siblings
 * drawn from anywhere in the district; every guardian of a family is the agent of all its
 * siblings, and the siblings share the family name. Kept in typed arrays (about 25 bytes per
 * student) so that a large district's cross-links fit in a few megabytes.
 */
export type Families = {
  guardians: number;
  /** Per student: index into the family-name pool. */
  familyName: Uint16Array;
  /** Per student: 1 when female. */
  female: Uint8Array;
  /** Per student: guardian numbers, or -1. */
  firstGuardian: Int32Array;
  secondGuardian: Int32Array;
  /** Students in family order; guardian g's students are siblings[siblingsStart[g] … + siblingsCount[g]). */
  siblings: Int32Array;
  siblingsStart: Int32Array;
  siblingsCount: Uint8Array;
};

const SIBLINGS_ODDS = [0.72, 0.21, 0.07]; // 1, 2 or 3 children
const AVERAGE_CHILDREN = 1 * 0.72 + 2 * 0.21 + 3 * 0.07;
const FAMILIES_WITHOUT_GUARDIAN = 0.04;

/** Odds of a family having 0, 1 or 2 guardians so that guardians per family average `mean`. */
export function guardianOdds(mean: number): [number, number, number] {
  if (mean <= 0) return [1, 0, 0];
  if (mean < 1) return [1 - mean, mean, 0];
  if (mean >= 2) return [0, 0, 1];
  const none = Math.min(FAMILIES_WITHOUT_GUARDIAN, (2 - mean) / 2);
  const two = mean - (1 - none);
  return [none, 1 - none - two, two];
}

function shuffledStudents(students: number, random: Random): Int32Array {
  const order = new Int32Array(students);
  for (let i = 0; i < students; i++) order[i] = i;
  for (let i = students - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export function buildFamilies(
  students: number,
  guardiansPerStudent: number,
  familyNames: number,
  random: Random,
): Families {
  const siblings = shuffledStudents(students, random);
  const familyName = new Uint16Array(students);
  const female = new Uint8Array(students);
  const firstGuardian = new Int32Array(students).fill(-1);
  const secondGuardian = new Int32Array(students).fill(-1);
  const siblingsStart = new Int32Array(2 * students);
  const siblingsCount = new Uint8Array(2 * students);
  const odds = guardianOdds(guardiansPerStudent * AVERAGE_CHILDREN);

  let guardians = 0;
  for (let start = 0; start < students; ) {
    const size = Math.min(1 + random.weighted(SIBLINGS_ODDS), students - start);
    siblings.subarray(start, start + size).sort();
    const name = random.int(familyNames);
    const guardianCount = random.weighted(odds);
    for (let k = start; k < start + size; k++) {
      const student = siblings[k];
      familyName[student] = name;
      female[student] = random.chance(0.49) ? 1 : 0;
      if (guardianCount >= 1) firstGuardian[student] = guardians;
      if (guardianCount >= 2) secondGuardian[student] = guardians + 1;
    }
    for (let g = 0; g < guardianCount; g++) {
      siblingsStart[guardians] = start;
      siblingsCount[guardians] = size;
      guardians++;
    }
    start += size;
  }
  return {
    guardians,
    familyName,
    female,
    firstGuardian,
    secondGuardian,
    siblings,
    siblingsStart: siblingsStart.subarray(0, guardians),
    siblingsCount: siblingsCount.subarray(0, guardians),
  };
}
