/**
 * The sourcedIds of the demo district. They are built from positions only (school number, grade,
 * course slot, section, row number), never from names, so they carry no personal data and are
 * stable for a given seed and options. All writers use these functions, so references always match.
 */
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const DISTRICT_ID = 'org-district';
export const schoolId = (school: number) => `org-school-${pad(school + 1, 4)}`;

export const courseId = (school: number, grade: string, slot: number) =>
  `crs-${pad(school + 1, 4)}-${grade}-${pad(slot + 1, 2)}`;

export const classId = (school: number, grade: string, slot: number, section: number) =>
  `cls-${pad(school + 1, 4)}-${grade}-${pad(slot + 1, 2)}-${pad(section + 1, 2)}`;

export const studentId = (student: number) => `usr-stu-${pad(student + 1, 7)}`;
export const guardianId = (guardian: number) => `usr-gdn-${pad(guardian + 1, 7)}`;
export const teacherId = (teacher: number) => `usr-tch-${pad(teacher + 1, 6)}`;
export const administratorId = (admin: number) => `usr-adm-${pad(admin + 1, 6)}`;
export const aideId = (aide: number) => `usr-aide-${pad(aide + 1, 6)}`;

export const enrollmentId = (row: number) => `enr-${pad(row + 1, 8)}`;
