import type { EntityName } from '../../model/entities.js';
import { USER_FLAGS } from '../../model/vocab.js';

/** A store row as the serializers read it. */
export type StoredRecord = { sourced_id: string; status: string; date_last_modified: Date; data: Record<string, any> };

export type SerializeContext = {
  /** Absolute URL of the version's base, e.g. https://host/ims/oneroster/rostering/v1p2 (for GUIDRef hrefs). */
  baseUrl: string;
};

type Ref = { sourcedId: string; type: string } | undefined;

/** The collection a GUIDRef's type points into (its href). */
export const COLLECTION_OF: Record<string, string> = {
  org: 'orgs', academicSession: 'academicSessions', course: 'courses', class: 'classes', user: 'users', resource: 'resources',
};

/** `{href, sourcedId, type}` with an absolute href to the referenced record's own endpoint. */
export function guidRef(ctx: SerializeContext, ref: Ref) {
  if (!ref) return undefined;
  return { href: `${ctx.baseUrl}/${COLLECTION_OF[ref.type]}/${encodeURIComponent(ref.sourcedId)}`, sourcedId: ref.sourcedId, type: ref.type };
}

export function guidRefs(ctx: SerializeContext, refs: Ref[] | undefined) {
  return refs?.length ? refs.map((r) => guidRef(ctx, r)!) : undefined;
}

/** OneRoster booleans are the strings "true" and "false". */
export const bool = (v: unknown) => (v === undefined || v === null ? undefined : v ? 'true' : 'false');

const FLAG_BY_LOWER = new Map(USER_FLAGS.map((f) => [f.toLowerCase(), f]));
const USER_FLAGS_KEY = 'microsoft.userFlags';

/**
 * `metadata.microsoft.userFlags` as SDS accepts it: comma-separated, no spaces, each flag in its
 * canonical spelling (freeLunch, homeless, giftedOrTalented, 504, ELL, LEP, IEP). Sources write
 * `iep`, `ELL; LEP` or `reducedLunch`; known flags are respelled, others are left out of what is
 * served (the stored value keeps them).
 */
export function sdsUserFlags(raw: string): string {
  const flags = raw.split(/[,;]/).map((f) => FLAG_BY_LOWER.get(f.trim().toLowerCase())).filter((f): f is (typeof USER_FLAGS)[number] => f !== undefined);
  return [...new Set(flags)].join(',');
}

function servedMetadata(metadata: Record<string, unknown> | undefined) {
  const flags = metadata?.[USER_FLAGS_KEY];
  if (typeof flags !== 'string') return metadata;
  const { [USER_FLAGS_KEY]: _, ...rest } = metadata!;
  const served = sdsUserFlags(flags);
  const out = served ? { ...rest, [USER_FLAGS_KEY]: served } : rest;
  return Object.keys(out).length ? out : undefined;
}

/** The base class fields: dateLastModified exactly YYYY-MM-DDTHH:mm:ss.sssZ. */
export function base(r: StoredRecord) {
  return { sourcedId: r.sourced_id, status: r.status, dateLastModified: r.date_last_modified.toISOString(), metadata: servedMetadata(r.data.metadata) };
}

/** Drops undefined properties (JSON would drop them too) and keeps only `fields` when given. */
export function finish(obj: Record<string, unknown>, fields?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && (!fields || fields.includes(k))) out[k] = v;
  return out;
}

export type Serializer = (r: StoredRecord, ctx: SerializeContext) => Record<string, unknown>;
export type SerializerSet = Record<EntityName, Serializer>;

/** Academic sessions, classes and enrollments have the same JSON in 1.1 and 1.2. */
export const academicSessionJson: Serializer = (r, ctx) => ({
  ...base(r), title: r.data.title, startDate: r.data.startDate, endDate: r.data.endDate, type: r.data.type,
  parent: guidRef(ctx, r.data.parent), schoolYear: r.data.schoolYear,
});

export const classJson: Serializer = (r, ctx) => ({
  ...base(r), title: r.data.title, classCode: r.data.classCode, classType: r.data.classType, location: r.data.location, grades: r.data.grades,
  subjects: r.data.subjects, course: guidRef(ctx, r.data.course), school: guidRef(ctx, r.data.school), terms: guidRefs(ctx, r.data.terms),
  subjectCodes: r.data.subjectCodes, periods: r.data.periods,
});

export const enrollmentJson: Serializer = (r, ctx) => ({
  ...base(r), user: guidRef(ctx, r.data.user), class: guidRef(ctx, r.data.class), school: guidRef(ctx, r.data.school), role: r.data.role,
  primary: bool(r.data.primary), beginDate: r.data.beginDate, endDate: r.data.endDate,
});

const RACE = ['americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white', 'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity'];

/** Demographics are the same in both versions but for the `sex` vocabulary. */
export function demographics(r: StoredRecord, sexAllowed: readonly string[]) {
  const d = r.data;
  const out: Record<string, unknown> = { ...base(r), birthDate: d.birthDate, sex: sexAllowed.includes(d.sex) ? d.sex : undefined };
  for (const f of RACE) out[f] = bool(d[f]);
  for (const f of ['countryOfBirthCode', 'stateOfBirthAbbreviation', 'cityOfBirth', 'publicSchoolResidenceStatus']) out[f] = d[f];
  return out;
}
