import type { EntityName } from '../../../model/entities.js';
import {
  CLASS_TYPES, ENROLLMENT_ROLES, ORG_TYPES, ROLE_TYPES, ROLES_V1P1, ROLES_V1P2, SESSION_TYPES, SEX_V1P2, roleFromV1p1,
} from '../../../model/vocab.js';
import type { PulledRecord } from '../types.js';

/**
 * OneRoster REST JSON (1.0, 1.1 or 1.2, read by shape rather than by the version the server
 * claims) → the canonical record the CSV import builds from the same data, key for key:
 *
 * - GUIDRefs become `{sourcedId, type}`; 1.0's flat forms are read too: a plain id string, an
 *   `xSourcedId` field, `xSourcedIds` (array or comma list), `orgs: ["id", …]`;
 * - booleans are booleans (`true`, `"true"`, `"1"`); lists are arrays (or comma lists);
 * - blank strings are absent, as blank CSV cells are; vocabularies get their canonical spelling;
 * - 1.1/1.0 users (`role` + `orgs`) become 1.2 `roles` (administrator by org type) and `primaryOrg`;
 * - `status` `tobedeleted` (and 1.0's `inactive`) is a deletion;
 * - only `metadata` carries fields beyond the standard ones; anything else unknown is dropped.
 */

type Json = Record<string, unknown>;
type Ref = { sourcedId: string; type: string };

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = str(v)?.toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return undefined;
}

function list(v: unknown): string[] | undefined {
  const raw = Array.isArray(v) ? v.map(str) : typeof v === 'string' ? v.split(',').map(str) : [];
  const items = raw.filter((x): x is string => x !== undefined);
  return items.length ? items : undefined;
}

/** The vocabulary's spelling of a value (matched case-insensitively); other values pass as they are, for the canonical check to judge. */
function vocab(v: unknown, allowed: readonly string[]): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const lower = s.toLowerCase();
  return allowed.find((a) => a.toLowerCase() === lower) ?? s;
}

/** YYYY-MM-DD, also from a date-time (`2024-08-15T00:00:00Z`, as some servers send dates). */
function date(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(s);
  return m ? m[1] : s;
}

function idOf(v: unknown): string | undefined {
  if (isObj(v)) return str(v.sourcedId);
  return str(v);
}

/** A GUIDRef at `field`, or 1.0's `<field>SourcedId`. */
function ref(o: Json, field: string, type: string): Ref | undefined {
  const id = idOf(o[field]) ?? idOf(o[`${field}SourcedId`]);
  return id === undefined ? undefined : { sourcedId: id, type };
}

/** GUIDRefs at `field` (objects or plain ids), or 1.0's `flat` (`orgSourcedIds`: array or comma list). */
function refs(o: Json, field: string, flat: string, type: string): Ref[] | undefined {
  const pick = (v: unknown) => (Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined);
  const items = pick(o[field]) ?? pick(o[flat]) ?? [];
  const out = items.map(idOf).filter((x): x is string => x !== undefined).map((sourcedId) => ({ sourcedId, type }));
  return out.length ? out : undefined;
}

function userIds(v: unknown): Array<{ type: string; identifier: string }> | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.flatMap((x) => {
    if (!isObj(x)) return [];
    const type = str(x.type);
    const identifier = str(x.identifier);
    return type !== undefined && identifier !== undefined ? [{ type, identifier }] : [];
  });
  return out.length ? out : undefined;
}

/** 1.2 `userProfiles`, as the CSV import folds userProfiles.csv: never a password. */
function userProfiles(v: unknown): Json[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.filter(isObj).map((p) =>
    compact({
      profileId: str(p.profileId),
      profileType: str(p.profileType),
      vendorId: str(p.vendorId),
      applicationId: str(p.applicationId),
      description: str(p.description),
      credentials: credentials(p.credentials),
    }),
  );
  return out.length ? out : undefined;
}

function credentials(v: unknown): Json[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.filter(isObj).flatMap((c) => {
    const type = str(c.type);
    const username = str(c.username);
    return type !== undefined && username !== undefined ? [{ type, username }] : [];
  });
  return out.length ? out : undefined;
}

function metadata(v: unknown): Json | undefined {
  return isObj(v) && Object.keys(v).length > 0 ? v : undefined;
}

/** Drops undefined properties (JSON drops them too; this keeps comparisons and hashes honest). */
function compact(o: Json): Json {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const RACE = [
  'americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white',
  'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity',
];
const PLACE = ['countryOfBirthCode', 'stateOfBirthAbbreviation', 'cityOfBirth', 'publicSchoolResidenceStatus'];
const USER_ROLES = [...new Set([...ROLES_V1P1, ...ROLES_V1P2])];

/** Looks up an org's type (for 1.1 `administrator`). */
export type OrgTypeOf = (orgSourcedId: string) => string | undefined;

/** Whether a user record needs org types to be mapped: a 1.0/1.1 administrator. */
export function needsOrgTypes(u: unknown): boolean {
  return isObj(u) && !Array.isArray(u.roles) && vocab(u.role, USER_ROLES) === 'administrator';
}

function person(u: Json): Json {
  return {
    username: str(u.username),
    userIds: userIds(u.userIds),
    enabledUser: bool(u.enabledUser),
    givenName: str(u.givenName),
    familyName: str(u.familyName),
    middleName: str(u.middleName),
    identifier: str(u.identifier),
    email: str(u.email),
    sms: str(u.sms),
    phone: str(u.phone),
    agents: refs(u, 'agents', 'agentSourcedIds', 'user'),
    grades: list(u.grades),
  };
}

function user(u: Json, orgType: OrgTypeOf): Json {
  if (Array.isArray(u.roles)) {
    return {
      ...person(u),
      userMasterIdentifier: str(u.userMasterIdentifier),
      preferredFirstName: str(u.preferredFirstName ?? u.preferredGivenName),
      preferredMiddleName: str(u.preferredMiddleName),
      preferredLastName: str(u.preferredLastName ?? u.preferredFamilyName),
      pronouns: str(u.pronouns),
      roles: u.roles.filter(isObj).map((r) =>
        compact({
          roleType: vocab(r.roleType, ROLE_TYPES),
          role: vocab(r.role, ROLES_V1P2),
          org: ref(r, 'org', 'org'),
          userProfile: str(r.userProfile),
          beginDate: date(r.beginDate),
          endDate: date(r.endDate),
        }),
      ),
      primaryOrg: ref(u, 'primaryOrg', 'org'),
      userProfiles: userProfiles(u.userProfiles),
    };
  }
  const role = vocab(u.role, USER_ROLES);
  const orgs = refs(u, 'orgs', 'orgSourcedIds', 'org') ?? [];
  return {
    ...person(u),
    roles: role ? orgs.map((org) => ({ roleType: 'primary', role: roleFromV1p1(role, orgType(org.sourcedId)), org })) : undefined,
    primaryOrg: orgs[0],
  };
}

const MAPPERS: Record<EntityName, (o: Json, orgType: OrgTypeOf) => Json> = {
  orgs: (o) => ({ name: str(o.name), type: vocab(o.type, ORG_TYPES), identifier: str(o.identifier), parent: ref(o, 'parent', 'org') }),
  academicSessions: (s) => ({
    title: str(s.title),
    type: vocab(s.type, SESSION_TYPES),
    startDate: date(s.startDate),
    endDate: date(s.endDate),
    parent: ref(s, 'parent', 'academicSession'),
    schoolYear: str(s.schoolYear),
  }),
  courses: (c) => ({
    title: str(c.title),
    schoolYear: ref(c, 'schoolYear', 'academicSession'),
    courseCode: str(c.courseCode),
    grades: list(c.grades),
    subjects: list(c.subjects),
    subjectCodes: list(c.subjectCodes),
    org: ref(c, 'org', 'org'),
  }),
  classes: (c) => ({
    title: str(c.title),
    classCode: str(c.classCode),
    classType: vocab(c.classType, CLASS_TYPES),
    location: str(c.location),
    grades: list(c.grades),
    subjects: list(c.subjects),
    subjectCodes: list(c.subjectCodes),
    periods: list(c.periods),
    course: ref(c, 'course', 'course'),
    school: ref(c, 'school', 'org'),
    terms: refs(c, 'terms', 'termSourcedIds', 'academicSession'),
  }),
  users: user,
  enrollments: (e) => ({
    class: ref(e, 'class', 'class'),
    school: ref(e, 'school', 'org'),
    user: ref(e, 'user', 'user'),
    role: vocab(e.role, ENROLLMENT_ROLES),
    primary: bool(e.primary),
    beginDate: date(e.beginDate),
    endDate: date(e.endDate),
  }),
  demographics: (d) => {
    const out: Json = { birthDate: date(d.birthDate), sex: vocab(d.sex, SEX_V1P2) };
    for (const f of RACE) out[f] = bool(d[f]);
    for (const f of PLACE) out[f] = str(d[f]);
    return out;
  },
};

/** One record of a page as the connector yields it. A record that is not even an object gets no id (the engine skips it by name). */
export function toPulledRecord(entity: EntityName, raw: unknown, orgType: OrgTypeOf): PulledRecord {
  if (!isObj(raw)) return { sourcedId: '', status: 'active', data: {} };
  const data = MAPPERS[entity](raw, orgType);
  data.metadata = metadata(raw.metadata);
  const status = str(raw.status)?.toLowerCase();
  return { sourcedId: str(raw.sourcedId) ?? '', status: status === 'tobedeleted' || status === 'inactive' ? 'tobedeleted' : 'active', data: compact(data) };
}

/**
 * 1.0 sessions may lack `schoolYear`: take it from the session's parent chain (the school year
 * ends in it), else from the session's own end date. Sessions are few, so a pull gathers them all.
 */
export function fillSchoolYears(sessions: PulledRecord[]): void {
  const byId = new Map(sessions.map((s) => [s.sourcedId, s.data]));
  const yearOf = (d: Json, depth: number): string | undefined => {
    if (typeof d.schoolYear === 'string') return d.schoolYear;
    const parentId = (d.parent as Ref | undefined)?.sourcedId;
    const parent = parentId !== undefined ? byId.get(parentId) : undefined;
    const fromParent = parent && depth < 10 ? yearOf(parent, depth + 1) : undefined;
    if (fromParent) return fromParent;
    return typeof d.endDate === 'string' && /^\d{4}-/.test(d.endDate) ? d.endDate.slice(0, 4) : undefined;
  };
  for (const s of sessions) {
    if (s.data.schoolYear !== undefined) continue;
    const year = yearOf(s.data, 0);
    if (year === undefined) continue;
    // Keep the canonical key order: schoolYear comes after parent.
    const { metadata: meta, ...rest } = s.data;
    s.data = compact({ ...rest, schoolYear: year, metadata: meta });
  }
}
