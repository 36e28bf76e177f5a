import type { EntityName } from '../../model/entities.js';
import {
  CLASS_TYPES, ENROLLMENT_ROLES, ORG_TYPES, ROLE_TYPES, ROLES_V1P1, ROLES_V1P2, SESSION_TYPES, SEX_V1P1, SEX_V1P2, type OneRosterVersion,
} from '../../model/vocab.js';
import { arrayOf, boolString, date, dateTime, object, ref, str, strings, uri, vocabulary, type Schema } from './schema-kit.js';

/**
 * The record schemas of each version, written from what src/api/serialize/v1p1.ts and v1p2.ts emit
 * and from spec/oneroster.md §5. Names follow the 1.2 binding's (`UserDType`, `OrgGUIDRefDType` …);
 * the 1.1 document uses the same names for its own, 1.1-shaped records.
 */
export const ENTITY_SCHEMA: Record<EntityName, string> = {
  orgs: 'OrgDType', academicSessions: 'AcademicSessionDType', courses: 'CourseDType', classes: 'ClassDType',
  users: 'UserDType', enrollments: 'EnrollmentDType', demographics: 'DemographicsDType',
};

/** GUIDRef schema per referenced type. */
const REF_SCHEMA = {
  org: 'OrgGUIDRefDType', academicSession: 'AcadSessionGUIDRefDType', course: 'CourseGUIDRefDType',
  class: 'ClassGUIDRefDType', user: 'UserGUIDRefDType', resource: 'ResourceGUIDRefDType',
} as const;
type RefType = keyof typeof REF_SCHEMA;

const REF_COLLECTION: Record<RefType, string> = {
  org: 'orgs', academicSession: 'academicSessions', course: 'courses', class: 'classes', user: 'users', resource: 'resources',
};

const guidRef = (t: RefType) => ref(REF_SCHEMA[t]);
const guidRefs = (t: RefType, description: string, minItems?: number) => arrayOf(guidRef(t), description, minItems);

function guidRefSchemas(): Record<string, Schema> {
  return Object.fromEntries(
    (Object.keys(REF_SCHEMA) as RefType[]).map((t) => [
      REF_SCHEMA[t],
      object(
        {
          href: uri(`Absolute URL of the referenced record on this server (…/${REF_COLLECTION[t]}/{sourcedId}).`),
          sourcedId: str('sourcedId of the referenced record.'),
          type: str('What kind of record is referenced.', { enum: [t] }),
        },
        ['href', 'sourcedId', 'type'],
        `A reference to a ${t === 'academicSession' ? 'academic session' : t} record.`,
      ),
    ]),
  );
}

function base(): Record<string, Schema> {
  return {
    sourcedId: str('Identifier of the record, unique within its kind and stable over time. Carries no personal data.'),
    status: str('`active`, or `tobedeleted` for a record that was removed at the source (records are never deleted outright, so delta syncs see removals).', { enum: ['active', 'tobedeleted'] }),
    dateLastModified: dateTime('When the record last changed, in UTC with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ). Filter on it for delta syncs.'),
    metadata: ref('MetadataDType'),
  };
}
const BASE_REQUIRED = ['sourcedId', 'status', 'dateLastModified'];

const RACE: Record<string, string> = {
  americanIndianOrAlaskaNative: 'American Indian or Alaska Native',
  asian: 'Asian',
  blackOrAfricanAmerican: 'Black or African American',
  nativeHawaiianOrOtherPacificIslander: 'Native Hawaiian or Other Pacific Islander',
  white: 'White',
  demographicRaceTwoOrMoreRaces: 'two or more races',
  hispanicOrLatinoEthnicity: 'Hispanic or Latino ethnicity',
};

const GRADES = 'Grade levels (CEDS codes such as KG, 01 … 12).';

function records(v: OneRosterVersion): Record<string, Schema> {
  const ext = true; // stored 1.2 records may carry ext: values, and both versions serve them as stored
  const v12 = v === '1.2';

  const org = object(
    {
      ...base(),
      name: str('Name of the organisation.'),
      type: vocabulary(ORG_TYPES, 'Kind of organisation.', ext),
      identifier: str(v12 ? 'External identifier such as an NCES id; an empty string when the source had none.' : 'External identifier such as an NCES id.'),
      parent: guidRef('org'),
      children: guidRefs('org', 'Organisations directly below this one. Rollcall does not send this list; follow `parent` instead.'),
    },
    [...BASE_REQUIRED, 'name', 'type', ...(v12 ? ['identifier'] : [])],
    'An organisation: a district, school, department, state, national or local body.',
  );

  const academicSession = object(
    {
      ...base(),
      title: str('Name of the session.'),
      startDate: date('First day of the session (included).'),
      endDate: date('Day the session ends; the date itself is not part of the session.'),
      type: vocabulary(SESSION_TYPES, 'Kind of session.', ext),
      parent: guidRef('academicSession'),
      children: guidRefs('academicSession', 'Sessions directly below this one. Rollcall does not send this list; follow `parent` instead.'),
      schoolYear: str('The school year the session belongs to, as the year it ends in (YYYY, e.g. 2025 for 2024–25).'),
    },
    [...BASE_REQUIRED, 'title', 'startDate', 'endDate', 'type', 'schoolYear'],
    'A period of academic activity: a school year, semester, term or grading period.',
  );

  const course = object(
    {
      ...base(),
      title: str('Name of the course.'),
      schoolYear: guidRef('academicSession'),
      courseCode: str(v12 ? 'Code of the course; an empty string when the source had none.' : 'Code of the course.'),
      grades: strings(GRADES),
      subjects: strings('Subject names.'),
      org: guidRef('org'),
      subjectCodes: strings('Subject codes (for example SCED codes).'),
      resources: guidRefs('resource', 'Learning resources of the course. Rollcall does not serve resources and does not send this list.'),
    },
    [...BASE_REQUIRED, 'title', ...(v12 ? ['courseCode'] : [])],
    'A course: what is taught, of which classes are the scheduled instances.',
  );

  const klass = object(
    {
      ...base(),
      title: str('Name of the class.'),
      classCode: str('Code of the class.'),
      classType: vocabulary(CLASS_TYPES, 'Whether the class is a homeroom or a scheduled class.', ext),
      location: str('Where the class meets.'),
      grades: strings(GRADES),
      subjects: strings('Subject names.'),
      course: guidRef('course'),
      school: guidRef('org'),
      terms: guidRefs('academicSession', 'The sessions in which the class is held (at least one).', 1),
      subjectCodes: strings('Subject codes (for example SCED codes).'),
      periods: strings('Periods of the day in which the class meets.'),
      resources: guidRefs('resource', 'Learning resources of the class. Rollcall does not serve resources and does not send this list.'),
    },
    [...BASE_REQUIRED, 'title', 'course', 'school', 'terms'],
    'A class: a course taught to a group of students at a school during one or more terms.',
  );

  const enrollment = object(
    {
      ...base(),
      user: guidRef('user'),
      class: guidRef('class'),
      school: guidRef('org'),
      role: vocabulary(ENROLLMENT_ROLES, 'The user\'s role in the class.', ext),
      primary: boolString('For teachers: "true" for the class\'s main teacher.'),
      beginDate: date('First day of the enrollment (included).'),
      endDate: date('Day the enrollment ends; the date itself is not part of it.'),
    },
    [...BASE_REQUIRED, 'user', 'class', 'school', 'role'],
    'The membership of a user in a class, with the user\'s role there.',
  );

  const demographics = object(
    {
      ...base(),
      birthDate: date('Date of birth.'),
      sex: vocabulary(v12 ? SEX_V1P2 : SEX_V1P1, 'Sex.', v12),
      ...Object.fromEntries(Object.entries(RACE).map(([k, label]) => [k, boolString(`"true" when the person identifies as ${label}.`)])),
      countryOfBirthCode: str('Country of birth (ISO 3166-1 alpha-2 code).'),
      stateOfBirthAbbreviation: str('State of birth (postal abbreviation).'),
      cityOfBirth: str('City of birth.'),
      publicSchoolResidenceStatus: str('Public school residence status (a CEDS code).'),
    },
    BASE_REQUIRED,
    `Demographic data of a user; its sourcedId is the user's sourcedId.${v12 ? '' : ' Sex values other than male and female are left out in 1.1.'}`,
  );

  const userIds = arrayOf(ref('UserIdDType'), 'Identifiers of the user in other systems.');
  const user12 = object(
    {
      ...base(),
      userMasterIdentifier: str('Master identifier of the user across systems.'),
      username: str('Login name (kept for compatibility with earlier versions).'),
      userIds,
      enabledUser: boolString('"false" when the user may not sign in.'),
      givenName: str('Given name.'),
      familyName: str('Family name.'),
      middleName: str('Middle name(s).'),
      preferredFirstName: str('Preferred first name.'),
      preferredMiddleName: str('Preferred middle name.'),
      preferredLastName: str('Preferred last name.'),
      pronouns: str('Pronouns.'),
      roles: arrayOf(ref('RoleDType'), 'The user\'s roles, each at one organisation; exactly one primary role per organisation.', 1),
      userProfiles: arrayOf(ref('UserProfileDType'), 'Accounts of the user in other systems.'),
      primaryOrg: guidRef('org'),
      identifier: str('Identifier such as a student number (kept for compatibility; prefer userIds).'),
      email: str('Email address.'),
      sms: str('Number for text messages.'),
      phone: str('Phone number.'),
      agents: guidRefs('user', 'Related people: a student\'s parents or guardians, or a parent\'s students.'),
      grades: strings(GRADES),
      password: str('Never sent: Rollcall does not store passwords.'),
      resources: guidRefs('resource', 'Learning resources of the user. Rollcall does not serve resources and does not send this list.'),
    },
    [...BASE_REQUIRED, 'enabledUser', 'givenName', 'familyName', 'roles'],
    'A person: student, teacher, parent, guardian, administrator …',
  );
  const user11 = object(
    {
      ...base(),
      username: str('Login name; an empty string when the source had none.'),
      userIds,
      enabledUser: boolString('"false" when the user may not sign in.'),
      givenName: str('Given name.'),
      familyName: str('Family name.'),
      middleName: str('Middle name(s).'),
      role: vocabulary(ROLES_V1P1, 'The user\'s role (at the primary organisation). District, school and system administrators, principals and counselors are all `administrator`.', ext),
      identifier: str('Identifier such as a student number.'),
      email: str('Email address.'),
      sms: str('Number for text messages.'),
      phone: str('Phone number.'),
      agents: guidRefs('user', 'Related people: a student\'s parents or guardians, or a parent\'s students.'),
      orgs: guidRefs('org', 'The organisations the user belongs to (at least one).', 1),
      grades: strings(GRADES),
      password: str('Never sent: Rollcall does not store passwords.'),
    },
    [...BASE_REQUIRED, 'username', 'enabledUser', 'givenName', 'familyName', 'role', 'orgs'],
    'A person: student, teacher, parent, guardian, administrator …',
  );

  return {
    [ENTITY_SCHEMA.academicSessions]: academicSession,
    [ENTITY_SCHEMA.classes]: klass,
    [ENTITY_SCHEMA.courses]: course,
    [ENTITY_SCHEMA.demographics]: demographics,
    [ENTITY_SCHEMA.enrollments]: enrollment,
    [ENTITY_SCHEMA.orgs]: org,
    [ENTITY_SCHEMA.users]: v12 ? user12 : user11,
  };
}

function parts(v: OneRosterVersion): Record<string, Schema> {
  const common: Record<string, Schema> = {
    MetadataDType: {
      type: 'object',
      description: 'Extension data, as key/value pairs (for example `microsoft.userFlags`). The only place where properties beyond the standard appear.',
      properties: {},
      additionalProperties: true,
    },
    UserIdDType: object({ type: str('The system or kind of the identifier.'), identifier: str('The identifier.') }, ['type', 'identifier'], 'An identifier of the user in another system.'),
  };
  if (v === '1.1') return common;
  return {
    ...common,
    RoleDType: object(
      {
        roleType: str('`primary`, or `secondary` for further roles at the same organisation.', { enum: [...ROLE_TYPES] }),
        role: vocabulary(ROLES_V1P2, 'The role.', true),
        org: guidRef('org'),
        userProfile: uri('profileId of the user profile that goes with this role.'),
        beginDate: date('First day of the role (included).'),
        endDate: date('Day the role ends; the date itself is not part of it.'),
      },
      ['roleType', 'role', 'org'],
      'A role of a user at an organisation.',
    ),
    UserProfileDType: object(
      {
        profileId: uri('Identifier of the profile (a URI).'),
        profileType: str('Kind of profile.'),
        vendorId: str('The vendor of the system the profile is for.'),
        applicationId: str('The application the profile is for.'),
        description: str('Description of the profile.'),
        credentials: arrayOf(ref('CredentialDType'), 'Sign-in names for the profile (never passwords).'),
      },
      ['profileId', 'profileType', 'vendorId'],
      'An account of the user in another system.',
    ),
    // The 1.2 binding leaves credentials open to extension; Rollcall sends type and username only.
    CredentialDType: object(
      { type: str('Kind of credential.'), username: str('Sign-in name.'), password: str('Never sent: Rollcall does not store passwords.') },
      ['type', 'username'],
      'A sign-in name of a user profile.',
      true,
    ),
  };
}

/** All record schemas of a version (records, their parts and GUIDRefs). */
export function entitySchemas(v: OneRosterVersion): Record<string, Schema> {
  return { ...records(v), ...parts(v), ...guidRefSchemas() };
}
