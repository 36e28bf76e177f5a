import { GRADES_BY_LEVEL, type SchoolLevel } from './course-catalog.js';
import type { NamePools } from './name-pools.js';
import type { Random } from './random.js';
import { splitByWeights, splitEvenly } from './split.js';

/**
 * The shape of the demo district, decided up front and kept small (a few objects per school):
 * which schools exist, how many students each grade has, how many sections each course has, and
 * how many teachers (enough for the classes) and other staff each school gets. Students are
 * numbered school by school, grade by grade, so a grade's students are one contiguous range.
 */
export const MAX_CLASS_SIZE = 32;
/**
 * Classes a lead teacher teaches. With 8 periods and ~29 students a class this gives about one
 * teacher per 23 students (LAUSD-like), and it leaves every teacher at least one free period.
 */
const TEACHING_LOAD = 7;
/** One co-teacher (special education / English learners) for about every dozen lead teachers. */
const LEADS_PER_CO_TEACHER = 12;
const ADMINISTRATOR_SHARE_OF_OTHER_STAFF = 0.25;
export const DISTRICT_OFFICE_SHARE_OF_ADMINISTRATORS = 0.05;

export type GradeGroup = {
  grade: string;
  firstStudent: number;
  students: number;
  sections: number;
  /** Sections of the school's earlier grades; numbers the school's sections of one slot 0, 1, 2 … */
  sectionOffset: number;
};

export type School = {
  index: number;
  level: SchoolLevel;
  name: string;
  identifier: string;
  firstStudent: number;
  students: number;
  grades: GradeGroup[];
  /** Sections of one slot over all grades (every slot has the same sections). */
  sections: number;
  firstTeacher: number;
  leadTeachers: number;
  /** Middle and high schools: lead teachers of each subject (slot); they teach only that subject. */
  teachersPerSubject: number;
  coTeachers: number;
};

export type DistrictPlan = {
  name: string;
  identifier: string;
  students: number;
  /** Courses (periods) in every grade's schedule = class enrollments per student. */
  slots: number;
  schools: School[];
  teachers: number;
  administrators: number;
  aides: number;
};

export type PlanOptions = {
  students: number;
  schools: number;
  slots: number;
  staffPerStudent: number;
};

const LEVEL_NAMES: Record<SchoolLevel, string> = {
  elementary: 'Elementary School',
  middle: 'Middle School',
  high: 'High School',
};

function schoolLevels(count: number): SchoolLevel[] {
  const middle = Math.max(1, Math.round(count * 0.2));
  const high = Math.max(1, Math.round(count * 0.2));
  const elementary = count - middle - high;
  return [
    ...Array<SchoolLevel>(elementary).fill('elementary'),
    ...Array<SchoolLevel>(middle).fill('middle'),
    ...Array<SchoolLevel>(high).fill('high'),
  ];
}

/** Once every place name is used, names repeat with one of these: "Lincoln Park Middle School". */
const PLACE_VARIANTS = ['Park', 'Heights', 'Hills', 'Valley', 'Avenue', 'Canyon', 'Gardens', 'Lake', 'Ridge', 'Grove'];

function schoolNames(levels: SchoolLevel[], pools: NamePools): string[] {
  const places = pools.schoolNames;
  return levels.map((level, i) => {
    const round = Math.floor(i / places.length);
    const variant = round === 0 ? '' : ` ${PLACE_VARIANTS[(round - 1) % PLACE_VARIANTS.length]}`;
    const repeat = round > PLACE_VARIANTS.length ? ` ${Math.ceil(round / PLACE_VARIANTS.length)}` : '';
    return `${places[i % places.length]}${variant}${repeat} ${LEVEL_NAMES[level]}`;
  });
}

function gradeGroups(level: SchoolLevel, firstStudent: number, students: number): GradeGroup[] {
  const grades = GRADES_BY_LEVEL[level];
  const counts = splitEvenly(students, grades.length);
  let next = firstStudent;
  let sectionOffset = 0;
  return grades.map((grade, g) => {
    const sections = Math.ceil(counts[g] / MAX_CLASS_SIZE);
    const group = { grade, firstStudent: next, students: counts[g], sections, sectionOffset };
    next += counts[g];
    sectionOffset += sections;
    return group;
  });
}

/** Students per school: each level gets its share of the 13 grades, spread over its schools ±25 %. */
function studentsPerSchool(levels: SchoolLevel[], students: number, random: Random): number[] {
  const perLevel = splitByWeights(students, [6, 3, 4]);
  const result: number[] = [];
  (['elementary', 'middle', 'high'] as const).forEach((level, l) => {
    const count = levels.filter((x) => x === level).length;
    const weights = Array.from({ length: count }, () => 0.75 + random.next() * 0.5);
    result.push(...splitByWeights(perLevel[l], weights));
  });
  return result;
}

export function planDistrict(options: PlanOptions, pools: NamePools, random: Random): DistrictPlan {
  const levels = schoolLevels(options.schools);
  const names = schoolNames(levels, pools);
  const sizes = studentsPerSchool(levels, options.students, random);
  const districtNumber = String(600000 + random.int(99999)).padStart(7, '0');
  const load = Math.max(1, Math.min(options.slots, TEACHING_LOAD));

  let firstStudent = 0;
  let firstTeacher = 0;
  const schools = levels.map((level, index): School => {
    const grades = gradeGroups(level, firstStudent, sizes[index]);
    const sections = grades.reduce((sum, g) => sum + g.sections, 0);
    const teachersPerSubject = Math.ceil(sections / load);
    const leadTeachers = Math.max(
      1,
      level === 'elementary' ? Math.ceil((sections * options.slots) / load) : teachersPerSubject * options.slots,
    );
    const coTeachers = Math.max(1, Math.round(leadTeachers / LEADS_PER_CO_TEACHER));
    const school: School = {
      index,
      level,
      name: names[index],
      identifier: districtNumber + String(index + 1).padStart(5, '0'),
      firstStudent,
      students: sizes[index],
      grades,
      sections,
      firstTeacher,
      leadTeachers,
      teachersPerSubject,
      coTeachers,
    };
    firstStudent += sizes[index];
    firstTeacher += leadTeachers + coTeachers;
    return school;
  });

  const otherStaff = Math.max(0, Math.round(options.students * options.staffPerStudent) - firstTeacher);
  const administrators = Math.round(otherStaff * ADMINISTRATOR_SHARE_OF_OTHER_STAFF);
  return {
    name: `${pools.districtCity} Unified School District`,
    identifier: districtNumber,
    students: options.students,
    slots: options.slots,
    schools,
    teachers: firstTeacher,
    administrators,
    aides: otherStaff - administrators,
  };
}

/** The school whose student range holds `student` (binary search over the contiguous ranges). */
export function schoolOfStudent(plan: DistrictPlan, student: number): School {
  let low = 0;
  let high = plan.schools.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (plan.schools[mid].firstStudent <= student) low = mid;
    else high = mid - 1;
  }
  return plan.schools[low];
}

/**
 * Where the k-th of `count` staff members works: the first few administrators are at the district
 * office (undefined), everyone else at a school chosen in proportion to its students.
 */
export function staffSchool(plan: DistrictPlan, k: number, count: number, districtShare = 0): School | undefined {
  const atDistrict = Math.ceil(count * districtShare);
  if (k < atDistrict) return undefined;
  const position = (k - atDistrict + 0.5) / (count - atDistrict);
  if (plan.students === 0) return plan.schools[Math.floor(position * plan.schools.length)];
  return schoolOfStudent(plan, Math.floor(position * plan.students));
}
