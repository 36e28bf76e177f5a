/**
 * Clever API v3.0 records as they arrive (the inner `data` of each list item). Only the fields the
 * connector reads are typed; nullable fields arrive as `null` or `""`.
 */
export type Maybe<T> = T | null | undefined;

export interface CleverDistrict {
  id: string;
  name?: Maybe<string>;
  nces_id?: Maybe<string>;
  state?: Maybe<string>;
}

export interface CleverSchool {
  id: string;
  district: string;
  name?: Maybe<string>;
  sis_id?: Maybe<string>;
  school_number?: Maybe<string>;
  state_id?: Maybe<string>;
  nces_id?: Maybe<string>;
  low_grade?: Maybe<string>;
  high_grade?: Maybe<string>;
}

export interface CleverTerm {
  id: string;
  district: string;
  name?: Maybe<string>;
  start_date?: Maybe<string>;
  end_date?: Maybe<string>;
}

export interface CleverCourse {
  id: string;
  district: string;
  name?: Maybe<string>;
  number?: Maybe<string>;
  /** Not in the v3.0 schema, but read when a district's data carries it. */
  school?: Maybe<string>;
}

export interface CleverSection {
  id: string;
  district: string;
  school: string;
  name?: Maybe<string>;
  sis_id?: Maybe<string>;
  section_number?: Maybe<string>;
  period?: Maybe<string>;
  grade?: Maybe<string>;
  subject?: Maybe<string>;
  course?: Maybe<string>;
  term_id?: Maybe<string>;
  /** The primary teacher. */
  teacher?: Maybe<string>;
  teachers?: Maybe<string[]>;
  students?: Maybe<string[]>;
}

export interface CleverCredentialsField {
  district_username?: Maybe<string>;
}

export interface CleverStudentRole {
  sis_id?: Maybe<string>;
  state_id?: Maybe<string>;
  student_number?: Maybe<string>;
  school?: Maybe<string>;
  schools?: Maybe<string[]>;
  grade?: Maybe<string>;
  credentials?: Maybe<CleverCredentialsField>;
}

export interface CleverTeacherRole {
  sis_id?: Maybe<string>;
  state_id?: Maybe<string>;
  teacher_number?: Maybe<string>;
  title?: Maybe<string>;
  school?: Maybe<string>;
  schools?: Maybe<string[]>;
  credentials?: Maybe<CleverCredentialsField>;
}

export interface CleverStaffRole {
  staff_id?: Maybe<string>;
  title?: Maybe<string>;
  department?: Maybe<string>;
  roles?: Maybe<string[]>;
  schools?: Maybe<string[]>;
  credentials?: Maybe<CleverCredentialsField>;
}

export interface CleverDistrictAdminRole {
  title?: Maybe<string>;
}

export interface CleverContactRole {
  sis_id?: Maybe<string>;
  phone?: Maybe<string>;
  phone_type?: Maybe<string>;
  student_relationships?: Maybe<Array<{ student: string; relationship?: Maybe<string>; type?: Maybe<string> }>>;
}

export interface CleverUser {
  id: string;
  district: string;
  email?: Maybe<string>;
  name?: Maybe<{ first?: Maybe<string>; middle?: Maybe<string>; last?: Maybe<string> }>;
  roles?: Maybe<{
    student?: Maybe<CleverStudentRole>;
    teacher?: Maybe<CleverTeacherRole>;
    staff?: Maybe<CleverStaffRole>;
    district_admin?: Maybe<CleverDistrictAdminRole>;
    contact?: Maybe<CleverContactRole>;
  }>;
}

/** The user roles Clever lists, in the order the connector reads them. */
export const CLEVER_ROLES = ['student', 'teacher', 'staff', 'district_admin', 'contact'] as const;
export type CleverRole = (typeof CLEVER_ROLES)[number];

/** The record types events are about. */
export type EventRecordType = 'districts' | 'schools' | 'terms' | 'courses' | 'sections' | 'users' | 'resources';

export interface CleverEvent {
  id: string;
  /** `users.updated`, `sections.deleted`… */
  type: string;
  created: string;
  data?: Maybe<{ object?: Maybe<Record<string, unknown>>; previous_attributes?: Maybe<Record<string, unknown>> }>;
  /** Swagger puts it beside `data`; payloads seen in the wild nest it inside: both are read. */
  previous_attributes?: Maybe<Record<string, unknown>>;
}
