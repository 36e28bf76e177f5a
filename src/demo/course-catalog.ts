/**
 * What each grade studies in the demo district. A grade's schedule has one course per slot (a slot
 * is a period of the day), taken in order from the band's list; each student takes every slot, so
 * the number of slots is the number of class enrollments per student. SCED-like codes: the real
 * two-digit subject areas (01 English … 10 Computer Science, 5x for prior-to-secondary) followed
 * by a course number.
 */
export type SchoolLevel = 'elementary' | 'middle' | 'high';
export type Term = 'year' | 'fall' | 'spring';

export type Course = {
  title: string;
  courseCode: string;
  subject: string;
  subjectCode: string;
  term: Term;
  classType: 'homeroom' | 'scheduled';
};

export const GRADES_BY_LEVEL: Record<SchoolLevel, readonly string[]> = {
  elementary: ['KG', '01', '02', '03', '04', '05'],
  middle: ['06', '07', '08'],
  high: ['09', '10', '11', '12'],
};

/** A subject taught at every grade of a band: the title gets the grade in front, the code the grade at the end. */
type GradeCourse = { code: string; name: string; subject: string; area: string; term?: Term; homeroom?: boolean };

const ELEMENTARY: GradeCourse[] = [
  { code: 'HR', name: 'Homeroom', subject: 'Homeroom', area: '72', homeroom: true },
  { code: 'ELA', name: 'English Language Arts', subject: 'English Language Arts', area: '51' },
  { code: 'MATH', name: 'Mathematics', subject: 'Mathematics', area: '52' },
  { code: 'SCI', name: 'Science', subject: 'Science', area: '53' },
  { code: 'SOC', name: 'Social Studies', subject: 'Social Studies', area: '54' },
  { code: 'PE', name: 'Physical Education', subject: 'Physical Education', area: '58' },
  { code: 'ART', name: 'Art', subject: 'Visual Arts', area: '55', term: 'fall' },
  { code: 'MUS', name: 'Music', subject: 'Music', area: '55', term: 'spring' },
  { code: 'SPAN', name: 'Spanish', subject: 'World Languages', area: '56' },
  { code: 'CS', name: 'Computer Science', subject: 'Computer Science', area: '60' },
  { code: 'HLTH', name: 'Health', subject: 'Health Education', area: '58', term: 'spring' },
];

const MIDDLE: GradeCourse[] = [
  { code: 'ELA', name: 'English Language Arts', subject: 'English Language Arts', area: '51' },
  { code: 'MATH', name: 'Mathematics', subject: 'Mathematics', area: '52' },
  { code: 'SCI', name: 'Science', subject: 'Science', area: '53' },
  { code: 'SOC', name: 'Social Studies', subject: 'Social Studies', area: '54' },
  { code: 'PE', name: 'Physical Education', subject: 'Physical Education', area: '58' },
  { code: 'SPAN', name: 'Spanish', subject: 'World Languages', area: '56' },
  { code: 'ART', name: 'Art', subject: 'Visual Arts', area: '55', term: 'fall' },
  { code: 'CS', name: 'Computer Science', subject: 'Computer Science', area: '60', term: 'spring' },
  { code: 'MUS', name: 'Music', subject: 'Music', area: '55' },
  { code: 'HLTH', name: 'Health', subject: 'Health Education', area: '58', term: 'fall' },
  { code: 'ADV', name: 'Advisory', subject: 'Advisory', area: '72' },
];

/** A high-school sequence: one course per grade 09–12, with its own title and SCED-like code. */
type HighCourse = { code: string; subject: string; titles: string[]; sced: string[]; term?: Term };

const HIGH: HighCourse[] = [
  { code: 'ENG', subject: 'English Language Arts', titles: ['English I', 'English II', 'English III', 'English IV'], sced: ['01001', '01002', '01003', '01004'] },
  { code: 'MATH', subject: 'Mathematics', titles: ['Algebra I', 'Geometry', 'Algebra II', 'Pre-Calculus'], sced: ['02052', '02072', '02056', '02110'] },
  { code: 'SCI', subject: 'Science', titles: ['Biology', 'Chemistry', 'Physics', 'Environmental Science'], sced: ['03051', '03101', '03151', '03003'] },
  { code: 'SOC', subject: 'Social Studies', titles: ['World Geography', 'World History', 'U.S. History', 'U.S. Government and Economics'], sced: ['04001', '04051', '04101', '04151'] },
  { code: 'PE', subject: 'Physical Education', titles: ['Physical Education I', 'Physical Education II', 'Health Education', 'Fitness and Wellness'], sced: ['08001', '08002', '08051', '08007'] },
  { code: 'SPAN', subject: 'World Languages', titles: ['Spanish I', 'Spanish II', 'Spanish III', 'Spanish IV'], sced: ['06101', '06102', '06103', '06104'] },
  { code: 'ART', subject: 'Visual Arts', titles: ['Art I', 'Art II', 'Ceramics', 'Studio Art'], sced: ['05154', '05155', '05162', '05156'], term: 'fall' },
  { code: 'CS', subject: 'Computer Science', titles: ['Introduction to Computer Science', 'Computer Science Principles', 'Computer Programming', 'Data Science'], sced: ['10001', '10019', '10152', '10201'], term: 'spring' },
  { code: 'MUS', subject: 'Music', titles: ['Concert Choir', 'Concert Band', 'Orchestra', 'Music Theory'], sced: ['05110', '05101', '05105', '05113'] },
  { code: 'STDY', subject: 'Study Hall', titles: ['Study Hall', 'Study Hall', 'Study Hall', 'Study Hall'], sced: ['22151', '22151', '22151', '22151'] },
];

function gradeLabel(grade: string): string {
  return grade === 'KG' ? 'Kindergarten' : `Grade ${Number(grade)}`;
}

function gradeNumber(grade: string): number {
  return grade === 'KG' ? 0 : Number(grade);
}

function gradeCourse(c: GradeCourse, grade: string, slot: number): Course {
  return {
    title: `${gradeLabel(grade)} ${c.name}`,
    courseCode: `${c.code}-${grade}`,
    subject: c.subject,
    subjectCode: `${c.area}${slot % 10}${String(gradeNumber(grade)).padStart(2, '0')}`,
    term: c.term ?? 'year',
    classType: c.homeroom ? 'homeroom' : 'scheduled',
  };
}

function highCourse(c: HighCourse, grade: string): Course {
  const step = gradeNumber(grade) - 9;
  return {
    title: c.titles[step],
    courseCode: `${c.code}-${grade}`,
    subject: c.subject,
    subjectCode: c.sced[step],
    term: c.term ?? 'year',
    classType: 'scheduled',
  };
}

/** Extra full-year electives when a schedule has more slots than the band's list. */
function elective(grade: string, slot: number): Course {
  return {
    title: `${gradeLabel(grade)} Elective ${slot + 1}`,
    courseCode: `ELEC${slot + 1}-${grade}`,
    subject: 'Electives',
    subjectCode: `22${String(slot + 1).padStart(3, '0')}`,
    term: 'year',
    classType: 'scheduled',
  };
}

/** The course a grade takes in a given slot of its schedule. */
export function courseFor(level: SchoolLevel, grade: string, slot: number): Course {
  if (level === 'high') return slot < HIGH.length ? highCourse(HIGH[slot], grade) : elective(grade, slot);
  const list = level === 'middle' ? MIDDLE : ELEMENTARY;
  return slot < list.length ? gradeCourse(list[slot], grade, slot) : elective(grade, slot);
}
