import type { EntityName } from '../../model/entities.js';
import { SEX_V1P1, SEX_V1P2, type OneRosterVersion } from '../../model/vocab.js';

/**
 * What each OneRoster record looks like on the wire, per version, as data: an ordered list of
 * properties and where each comes from in the stored row. src/api/render/render-sql.ts compiles a
 * shape to one SQL expression that yields the record's JSON text, so a page is rendered by the
 * database and never becomes JavaScript objects. The TypeScript serializers in src/api/serialize
 * say the same in code; a test checks that both give the same JSON for every record.
 */
export type Property =
  /** The stored value at data->path, as it is (absent: left out); `orEmpty`: absent or null is "". */
  | { key: string; kind: 'value'; path: string; orEmpty?: true }
  /**
   * A GUIDRef {href, sourcedId, type} from the stored {sourcedId, type} at data->path; `type`: the
   * type such a ref nearly always has (any other is served too, more slowly);
   * `visibleOrgsOnly`: left out for a school-scoped client when the org is outside its scope.
   */
  | { key: string; kind: 'ref'; path: string; type: RefType; visibleOrgsOnly?: true }
  /** An array of GUIDRefs from the stored array at data->path (absent or empty: left out); `type` as for a ref. */
  | { key: string; kind: 'refs'; path: string; type: RefType }
  /** A OneRoster boolean ("true"/"false") from the stored value; `absentIs`: the value when absent or null. */
  | { key: string; kind: 'bool'; path: string; absentIs?: boolean }
  /** The stored string when it is one of `values`, else left out. */
  | { key: string; kind: 'oneOf'; path: string; values: readonly string[] }
  /** The base properties every record has: sourcedId, status, dateLastModified, metadata. */
  | { key: 'sourcedId' | 'status' | 'dateLastModified' | 'metadata'; kind: 'base' }
  /** 1.1 users: the primary role (the `role` column), administrator-like 1.2 roles as `administrator`. */
  | { key: 'role'; kind: 'userRoleV1p1' }
  /** 1.1 users: the distinct orgs of the user's roles, in order. */
  | { key: 'orgs'; kind: 'userOrgsV1p1' }
  /** 1.2 users: the roles, each with its org as a GUIDRef. */
  | { key: 'roles'; kind: 'userRolesV1p2' };

/** The GUIDRef types of OneRoster rostering. */
export type RefType = 'org' | 'academicSession' | 'course' | 'class' | 'user';

export type Shape = readonly Property[];

const BASE: Shape = [
  { key: 'sourcedId', kind: 'base' },
  { key: 'status', kind: 'base' },
  { key: 'dateLastModified', kind: 'base' },
  { key: 'metadata', kind: 'base' },
];
const value = (key: string, path = key): Property => ({ key, kind: 'value', path });
const values = (...keys: string[]) => keys.map((k) => value(k));
const ref = (key: string, type: RefType): Property => ({ key, kind: 'ref', path: key, type });
const refs = (key: string, type: RefType): Property => ({ key, kind: 'refs', path: key, type });
const bool = (key: string, absentIs?: boolean): Property => ({ key, kind: 'bool', path: key, ...(absentIs === undefined ? {} : { absentIs }) });

const academicSession: Shape = [...BASE, ...values('title', 'startDate', 'endDate', 'type'), ref('parent', 'academicSession'), value('schoolYear')];
const klass: Shape = [
  ...BASE, ...values('title', 'classCode', 'classType', 'location', 'grades', 'subjects'), ref('course', 'course'), ref('school', 'org'), refs('terms', 'academicSession'),
  ...values('subjectCodes', 'periods'),
];
const enrollment: Shape = [...BASE, ref('user', 'user'), ref('class', 'class'), ref('school', 'org'), value('role'), bool('primary'), ...values('beginDate', 'endDate')];
const RACE = ['americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white', 'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity'];
const demographics = (sex: readonly string[]): Shape => [
  ...BASE, value('birthDate'), { key: 'sex', kind: 'oneOf', path: 'sex', values: sex }, ...RACE.map((k) => bool(k)),
  ...values('countryOfBirthCode', 'stateOfBirthAbbreviation', 'cityOfBirth', 'publicSchoolResidenceStatus'),
];

export const SHAPES: Record<OneRosterVersion, Record<EntityName, Shape>> = {
  '1.1': {
    orgs: [...BASE, ...values('name', 'type', 'identifier'), ref('parent', 'org')],
    academicSessions: academicSession,
    courses: [...BASE, value('title'), ref('schoolYear', 'academicSession'), ...values('courseCode', 'grades', 'subjects'), ref('org', 'org'), value('subjectCodes')],
    classes: klass,
    users: [
      ...BASE, { key: 'username', kind: 'value', path: 'username', orEmpty: true }, value('userIds'), bool('enabledUser', true),
      ...values('givenName', 'familyName', 'middleName'), { key: 'role', kind: 'userRoleV1p1' }, ...values('identifier', 'email', 'sms', 'phone'),
      refs('agents', 'user'), { key: 'orgs', kind: 'userOrgsV1p1' }, value('grades'),
    ],
    enrollments: enrollment,
    demographics: demographics(SEX_V1P1),
  },
  '1.2': {
    orgs: [...BASE, value('name'), value('type'), { key: 'identifier', kind: 'value', path: 'identifier', orEmpty: true }, ref('parent', 'org')],
    academicSessions: academicSession,
    courses: [
      ...BASE, value('title'), ref('schoolYear', 'academicSession'), { key: 'courseCode', kind: 'value', path: 'courseCode', orEmpty: true }, ...values('grades', 'subjects'),
      ref('org', 'org'), value('subjectCodes'),
    ],
    classes: klass,
    users: [
      ...BASE, ...values('userMasterIdentifier', 'username', 'userIds'), bool('enabledUser', true),
      ...values('givenName', 'familyName', 'middleName', 'preferredFirstName', 'preferredMiddleName', 'preferredLastName', 'pronouns'),
      { key: 'roles', kind: 'userRolesV1p2' }, value('userProfiles'), { key: 'primaryOrg', kind: 'ref', path: 'primaryOrg', type: 'org', visibleOrgsOnly: true }, ...values('identifier', 'email', 'sms', 'phone'),
      refs('agents', 'user'), value('grades'),
    ],
    enrollments: enrollment,
    demographics: demographics(SEX_V1P2),
  },
};
