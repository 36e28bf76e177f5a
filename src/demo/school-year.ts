import type { Term } from './course-catalog.js';

/**
 * The demo's academic calendar: the 2026-2027 school year, a Fall and a Spring term, and two
 * grading periods per term. End dates are exclusive (OneRoster), so each session ends on the day
 * the next one starts and the last one ends on the year's end date.
 */
export type Session = {
  sourcedId: string;
  title: string;
  type: 'schoolYear' | 'term' | 'gradingPeriod';
  startDate: string;
  endDate: string;
  parentSourcedId: string;
};

export const SCHOOL_YEAR = '2027';

export const YEAR: Session = {
  sourcedId: 'as-2027',
  title: '2026-2027',
  type: 'schoolYear',
  startDate: '2026-08-17',
  endDate: '2027-06-18',
  parentSourcedId: '',
};

export const FALL: Session = {
  sourcedId: 'as-2027-fall',
  title: 'Fall 2026',
  type: 'term',
  startDate: YEAR.startDate,
  endDate: '2027-01-11',
  parentSourcedId: YEAR.sourcedId,
};

export const SPRING: Session = {
  sourcedId: 'as-2027-spring',
  title: 'Spring 2027',
  type: 'term',
  startDate: FALL.endDate,
  endDate: YEAR.endDate,
  parentSourcedId: YEAR.sourcedId,
};

const GRADING_PERIODS: Session[] = [
  { sourcedId: 'as-2027-q1', title: 'Quarter 1', type: 'gradingPeriod', startDate: FALL.startDate, endDate: '2026-10-19', parentSourcedId: FALL.sourcedId },
  { sourcedId: 'as-2027-q2', title: 'Quarter 2', type: 'gradingPeriod', startDate: '2026-10-19', endDate: FALL.endDate, parentSourcedId: FALL.sourcedId },
  { sourcedId: 'as-2027-q3', title: 'Quarter 3', type: 'gradingPeriod', startDate: SPRING.startDate, endDate: '2027-03-22', parentSourcedId: SPRING.sourcedId },
  { sourcedId: 'as-2027-q4', title: 'Quarter 4', type: 'gradingPeriod', startDate: '2027-03-22', endDate: SPRING.endDate, parentSourcedId: SPRING.sourcedId },
];

export const SESSIONS: readonly Session[] = [YEAR, FALL, SPRING, ...GRADING_PERIODS];

/** The terms in which a course of the given length meets. */
export const TERMS_OF: Record<Term, readonly Session[]> = {
  year: [FALL, SPRING],
  fall: [FALL],
  spring: [SPRING],
};
