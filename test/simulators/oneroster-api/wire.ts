import { finish, type StoredRecord } from '../../../src/api/serialize/shared.js';
import { v1p1 } from '../../../src/api/serialize/v1p1.js';
import { v1p2 } from '../../../src/api/serialize/v1p2.js';
import type { EntityName } from '../../../src/model/entities.js';
import type { SimRecord } from './district.js';

export type Dialect = '1.0' | '1.1' | '1.2';

const stored = (r: SimRecord): StoredRecord => ({ sourced_id: r.sourcedId, status: r.status, date_last_modified: r.dateLastModified, data: r.data });

const isRef = (v: unknown): v is { sourcedId: string } => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { sourcedId?: unknown }).sourcedId === 'string';

/** 1.0 booleans were JSON booleans in the wild; 1.1/1.2 send "true"/"false". */
const BOOLEAN_FIELDS = new Set([
  'enabledUser', 'primary', 'americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white',
  'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity',
]);

/**
 * The 1.0 style, flat: GUIDRefs become `<field>SourcedId` ids, users' `orgs` a plain array of ids,
 * other GUIDRef arrays `<singular>SourcedIds`; booleans are JSON booleans; deletions are `inactive`;
 * sessions carry no `schoolYear`.
 */
function flatten(entity: EntityName, json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (isRef(v)) out[`${k}SourcedId`] = v.sourcedId;
    else if (Array.isArray(v) && v.length > 0 && v.every(isRef)) {
      const ids = v.map((r) => r.sourcedId);
      if (entity === 'users' && k === 'orgs') out.orgs = ids;
      else out[`${k.replace(/s$/, '')}SourcedIds`] = ids;
    } else if (BOOLEAN_FIELDS.has(k) && (v === 'true' || v === 'false')) out[k] = v === 'true';
    else out[k] = v;
  }
  if (out.status === 'tobedeleted') out.status = 'inactive';
  if (entity === 'academicSessions') delete out.schoolYear;
  return out;
}

/** A record's JSON as a server of `dialect` sends it, GUIDRef hrefs under `baseUrl`. */
export function renderRecord(entity: EntityName, r: SimRecord, dialect: Dialect, baseUrl: string): Record<string, unknown> {
  const serializer = dialect === '1.2' ? v1p2[entity] : v1p1[entity];
  const json = finish(serializer(stored(r), { baseUrl }));
  return dialect === '1.0' ? flatten(entity, json) : json;
}
