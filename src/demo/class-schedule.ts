import type { GradeGroup, School } from './district-plan.js';

/**
 * The timetable rules shared by classes.csv and enrollments.csv, so both files agree on who sits
 * in which section, when it meets and who teaches it. A grade's day has `slots` periods; every
 * slot is one course with `group.sections` sections, and each student takes one section of every
 * slot.
 *
 * Elementary: a section is a cohort that stays together all day; slot k meets in period k + 1 and
 * teachers take the slots of one or two sections, so nobody is in two places at once.
 *
 * Middle and high: a section of slot k meets in period (x + k) mod slots, x being the section's
 * number within the school, so each teacher of a subject teaches its consecutive sections in
 * different periods. A student's sections all share the same x mod slots, which gives them one
 * class per period, while students are reshuffled from one subject to the next when there are
 * more sections than periods.
 */
export type ClassPlace = { school: School; group: GradeGroup; slots: number };

/** The section (0-based) of `slot` for the student at `position` within its grade. */
export function sectionOf({ school, group, slots }: ClassPlace, slot: number, position: number): number {
  const sections = group.sections;
  if (school.level === 'elementary') return position % sections;
  const inRound = position % sections;
  const round = Math.floor(position / sections);
  const residue = inRound % slots;
  const sectionsWithResidue = Math.ceil((sections - residue) / slots);
  return residue + slots * ((Math.floor(inRound / slots) + round + slot) % sectionsWithResidue);
}

/** The period (1-based) in which a section of a slot meets. */
export function periodOf({ school, group, slots }: ClassPlace, slot: number, section: number): number {
  if (school.level === 'elementary') return slot + 1;
  return ((group.sectionOffset + section + slot) % slots) + 1;
}

/** The lead teacher of a section, numbered within the school (0 … leadTeachers - 1). */
export function leadTeacherOf({ school, group, slots }: ClassPlace, slot: number, section: number): number {
  const leads = school.leadTeachers;
  const sectionInSchool = group.sectionOffset + section;
  if (school.level === 'elementary') {
    const classInSchool = sectionInSchool * slots + slot;
    return Math.floor((classInSchool * leads) / (school.sections * slots));
  }
  const perSubject = school.teachersPerSubject;
  return slot * perSubject + Math.floor((sectionInSchool * perSubject) / school.sections);
}

/**
 * The co-teacher (numbered within the school, after the leads) who joins every class of a lead
 * teacher, or undefined. Co-teacher j works with lead floor(j * leads / coTeachers).
 */
export function coTeacherOf(school: School, lead: number): number | undefined {
  const j = Math.ceil((lead * school.coTeachers) / school.leadTeachers);
  const joins = j < school.coTeachers && Math.floor((j * school.leadTeachers) / school.coTeachers) === lead;
  return joins ? school.leadTeachers + j : undefined;
}

/** A teacher keeps one room for all their classes; rooms are numbered from 101 per school. */
export function roomOf(lead: number): string {
  return `Room ${101 + lead}`;
}
