import type { NamePools } from './name-pools.js';
import type { Random } from './random.js';

/**
 * Demographic draws for one student, loosely shaped like a large California district (mostly
 * Hispanic, mostly US-born). Birth dates follow the September 1 kindergarten cut-off, with a few
 * students a year older or younger than their grade.
 */
export type Demographics = {
  birthDate: string;
  americanIndianOrAlaskaNative: boolean;
  asian: boolean;
  blackOrAfricanAmerican: boolean;
  nativeHawaiianOrOtherPacificIslander: boolean;
  white: boolean;
  twoOrMoreRaces: boolean;
  hispanicOrLatino: boolean;
  countryOfBirthCode: string;
  stateOfBirthAbbreviation: string;
  cityOfBirth: string;
  publicSchoolResidenceStatus: string;
};

const DAY_MS = 86_400_000;
/** Kindergarteners of 2026-27 were born from 2020-09-02 to 2021-09-01. */
const KINDERGARTEN_BORN_FROM_YEAR = 2020;

/** Race order: americanIndianOrAlaskaNative, asian, blackOrAfricanAmerican, nativeHawaiian…, white. */
const RACE_WEIGHTS_HISPANIC = [0.1, 0.01, 0.03, 0.01, 0.85];
const RACE_WEIGHTS_NOT_HISPANIC = [0.01, 0.27, 0.29, 0.02, 0.41];
const TWO_OR_MORE_RACES_ODDS = 0.06;
const HISPANIC_ODDS = 0.74;

const US_BORN_ODDS = 0.88;
const HOME_STATE = 'CA';
const HOME_STATE_ODDS = 0.85;
const OTHER_STATES = ['AZ', 'NV', 'TX', 'NY', 'IL', 'WA', 'OR', 'FL'];
const ABROAD: { country: string; cities: string[]; weight: number }[] = [
  { country: 'MX', cities: ['Guadalajara', 'Mexico City', 'Puebla', 'Tijuana'], weight: 45 },
  { country: 'SV', cities: ['San Salvador', 'Santa Ana'], weight: 12 },
  { country: 'GT', cities: ['Guatemala City', 'Quetzaltenango'], weight: 12 },
  { country: 'PH', cities: ['Manila', 'Quezon City'], weight: 8 },
  { country: 'KR', cities: ['Seoul', 'Busan'], weight: 6 },
  { country: 'CN', cities: ['Guangzhou', 'Shanghai'], weight: 5 },
  { country: 'AM', cities: ['Yerevan'], weight: 4 },
  { country: 'HN', cities: ['Tegucigalpa'], weight: 4 },
  { country: 'IN', cities: ['Mumbai', 'Chennai'], weight: 4 },
];
const ABROAD_WEIGHTS = ABROAD.map((a) => a.weight);

/** CEDS public school residence status codes ('' = not reported). */
const RESIDENCE_CODES = ['01652', '01653', '01654', ''];
const RESIDENCE_WEIGHTS = [0.8, 0.14, 0.03, 0.03];

function birthDate(random: Random, gradeNumber: number): string {
  const yearsOffGrade = random.weighted([0.04, 0.95, 0.01]) - 1; // -1 older, 0 on grade, +1 younger
  const from = Date.UTC(KINDERGARTEN_BORN_FROM_YEAR - gradeNumber + yearsOffGrade, 8, 2);
  return new Date(from + random.int(365) * DAY_MS).toISOString().slice(0, 10);
}

function races(random: Random, hispanic: boolean): boolean[] {
  const weights = hispanic ? RACE_WEIGHTS_HISPANIC : RACE_WEIGHTS_NOT_HISPANIC;
  const result = [false, false, false, false, false];
  result[random.weighted(weights)] = true;
  if (random.chance(TWO_OR_MORE_RACES_ODDS)) result[random.weighted(weights.map((w, i) => (result[i] ? 0 : w)))] = true;
  return result;
}

export function drawDemographics(random: Random, pools: NamePools, gradeNumber: number): Demographics {
  const hispanicOrLatino = random.chance(HISPANIC_ODDS);
  const [aian, asian, black, nhpi, white] = races(random, hispanicOrLatino);
  let country = 'US';
  let state = '';
  let city: string;
  if (random.chance(US_BORN_ODDS)) {
    state = random.chance(HOME_STATE_ODDS) ? HOME_STATE : random.pick(OTHER_STATES);
    city = state === HOME_STATE && random.chance(0.6) ? pools.districtCity : random.pick(pools.cities);
  } else {
    const abroad = ABROAD[random.weighted(ABROAD_WEIGHTS)];
    country = abroad.country;
    city = random.pick(abroad.cities);
  }
  return {
    birthDate: birthDate(random, gradeNumber),
    americanIndianOrAlaskaNative: aian,
    asian,
    blackOrAfricanAmerican: black,
    nativeHawaiianOrOtherPacificIslander: nhpi,
    white,
    twoOrMoreRaces: [aian, asian, black, nhpi, white].filter(Boolean).length > 1,
    hispanicOrLatino,
    countryOfBirthCode: country,
    stateOfBirthAbbreviation: state,
    cityOfBirth: city,
    publicSchoolResidenceStatus: RESIDENCE_CODES[random.weighted(RESIDENCE_WEIGHTS)],
  };
}
