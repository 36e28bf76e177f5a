import {
  ADMIN_ROLES_V1P2, CLASS_TYPES, ENROLLMENT_ROLES, ORG_TYPES, ROLE_TYPES, ROLES_V1P1, ROLES_V1P2, SESSION_TYPES, SEX_V1P1, SEX_V1P2,
} from '../../model/vocab.js';
import { BASE_FIELDS, col, prop, refArray, refId, textArray, type FieldDef, type FieldSet, type Versioned } from '../fields.js';

const same = (f: FieldSet): Versioned<FieldSet> => ({ '1.1': f, '1.2': f });
const BASE_SELECT = ['sourcedId', 'status', 'dateLastModified', 'metadata'];

export const orgFields = same({
  filter: {
    ...BASE_FIELDS,
    name: prop('name'),
    type: col('type', 'enum', { values: ORG_TYPES }),
    identifier: prop('identifier'),
    'parent.sourcedId': col('parent_sourced_id', 'id'),
  },
  select: [...BASE_SELECT, 'name', 'type', 'identifier', 'parent', 'children'],
});

export const academicSessionFields = same({
  filter: {
    ...BASE_FIELDS,
    title: prop('title'),
    type: col('type', 'enum', { values: SESSION_TYPES }),
    startDate: prop('startDate', 'date'),
    endDate: prop('endDate', 'date'),
    schoolYear: prop('schoolYear'),
    'parent.sourcedId': col('parent_sourced_id', 'id'),
  },
  select: [...BASE_SELECT, 'title', 'startDate', 'endDate', 'type', 'parent', 'children', 'schoolYear'],
});

export const courseFields = same({
  filter: {
    ...BASE_FIELDS,
    title: prop('title'),
    courseCode: prop('courseCode'),
    grades: textArray('grades'),
    subjects: textArray('subjects'),
    subjectCodes: textArray('subjectCodes'),
    'org.sourcedId': col('org_sourced_id', 'id'),
    'schoolYear.sourcedId': refId('schoolYear'),
  },
  select: [...BASE_SELECT, 'title', 'schoolYear', 'courseCode', 'grades', 'subjects', 'org', 'subjectCodes', 'resources'],
});

export const classFields = same({
  filter: {
    ...BASE_FIELDS,
    title: prop('title'),
    classCode: prop('classCode'),
    classType: prop('classType', 'enum', { values: CLASS_TYPES }),
    location: prop('location'),
    grades: textArray('grades'),
    subjects: textArray('subjects'),
    subjectCodes: textArray('subjectCodes'),
    periods: textArray('periods'),
    'course.sourcedId': col('course_sourced_id', 'id'),
    'school.sourcedId': col('school_sourced_id', 'id'),
    'terms.sourcedId': { type: 'id', sql: 'r.term_sourced_ids', array: true },
  },
  select: [...BASE_SELECT, 'title', 'classCode', 'classType', 'location', 'grades', 'subjects', 'course', 'school', 'terms', 'subjectCodes', 'periods', 'resources'],
});

const userCommon: Record<string, FieldDef> = {
  ...BASE_FIELDS,
  username: prop('username'),
  enabledUser: prop('enabledUser', 'boolean'),
  givenName: prop('givenName'),
  familyName: prop('familyName'),
  middleName: prop('middleName'),
  identifier: prop('identifier'),
  email: prop('email'),
  sms: prop('sms'),
  phone: prop('phone'),
  grades: textArray('grades'),
  'agents.sourcedId': refArray('agents'),
  'userIds.identifier': { type: 'text', sql: `array(select e->>'identifier' from jsonb_array_elements(coalesce(r.data->'userIds', '[]'::jsonb)) e)`, array: true },
};
const userSelectCommon = [...BASE_SELECT, 'username', 'userIds', 'enabledUser', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agents', 'grades'];

export const userFields: Versioned<FieldSet> = {
  '1.1': {
    filter: {
      ...userCommon,
      // 1.1 serves one role; the store keeps 1.2 roles, whose admin-like roles 1.1 calls administrator.
      role: col('role', 'enum', {
        values: ROLES_V1P1,
        sql: `(case when r.role in (${ADMIN_ROLES_V1P2.map((a) => `'${a}'`).join(', ')}) then 'administrator' else r.role end)`,
        aliases: { column: 'r.role', values: { administrator: ADMIN_ROLES_V1P2 } },
      }),
      'orgs.sourcedId': { type: 'id', sql: 'r.org_sourced_ids', array: true },
    },
    select: [...userSelectCommon, 'role', 'orgs'],
  },
  '1.2': {
    filter: {
      ...userCommon,
      userMasterIdentifier: prop('userMasterIdentifier'),
      preferredFirstName: prop('preferredFirstName'),
      preferredMiddleName: prop('preferredMiddleName'),
      preferredLastName: prop('preferredLastName'),
      pronouns: prop('pronouns'),
      'roles.role': { type: 'enum', values: ROLES_V1P2, sql: `array(select e->>'role' from jsonb_array_elements(r.data->'roles') e)`, array: true },
      'roles.roleType': { type: 'enum', values: ROLE_TYPES, sql: `array(select e->>'roleType' from jsonb_array_elements(r.data->'roles') e)`, array: true },
      'roles.org.sourcedId': { type: 'id', sql: 'r.org_sourced_ids', array: true },
      'primaryOrg.sourcedId': refId('primaryOrg'),
    },
    select: [
      ...userSelectCommon, 'userMasterIdentifier', 'preferredFirstName', 'preferredMiddleName', 'preferredLastName', 'pronouns',
      'roles', 'userProfiles', 'primaryOrg', 'resources',
    ],
  },
};

export const enrollmentFields = same({
  filter: {
    ...BASE_FIELDS,
    role: col('role', 'enum', { values: ENROLLMENT_ROLES }),
    primary: prop('primary', 'boolean'),
    beginDate: prop('beginDate', 'date'),
    endDate: prop('endDate', 'date'),
    'class.sourcedId': col('class_sourced_id', 'id'),
    'user.sourcedId': col('user_sourced_id', 'id'),
    'school.sourcedId': col('school_sourced_id', 'id'),
  },
  select: [...BASE_SELECT, 'user', 'class', 'school', 'role', 'primary', 'beginDate', 'endDate'],
});

const RACE = ['americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white', 'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity'];
const PLACE = ['countryOfBirthCode', 'stateOfBirthAbbreviation', 'cityOfBirth', 'publicSchoolResidenceStatus'];
const demographics = (sex: readonly string[]): FieldSet => ({
  filter: {
    ...BASE_FIELDS,
    birthDate: prop('birthDate', 'date'),
    sex: prop('sex', 'enum', { values: sex }),
    ...Object.fromEntries(RACE.map((f) => [f, prop(f, 'boolean')])),
    ...Object.fromEntries(PLACE.map((f) => [f, prop(f)])),
  },
  select: [...BASE_SELECT, 'birthDate', 'sex', ...RACE, ...PLACE],
});
export const demographicFields: Versioned<FieldSet> = { '1.1': demographics(SEX_V1P1), '1.2': demographics(SEX_V1P2) };
