import type { Knex } from 'knex';
import type { Sharing } from '../../auth/sharing.js';
import { maskedFieldsOf } from '../../auth/sharing.js';
import type { EntityName } from '../../model/entities.js';
import type { SqlFragment } from '../../query/compile-filter.js';

/** User roles that make a user a guardian-type contact (hidden when guardians are not shared). */
export const GUARDIAN_ROLES = ['guardian', 'parent', 'relative'] as const;
const guardianList = GUARDIAN_ROLES.map((r) => `'${r}'`).join(', ');

/** The client's schools as a text[] (bound as JSON, so any id is just data). */
const schoolArray = (s: Sharing): SqlFragment => ({
  sql: `array(select x collate "C" from jsonb_array_elements_text(cast(? as jsonb)) x)`,
  bindings: [JSON.stringify(s.schools)],
});

/** The client's schools and every org above them (their district…): the orgs a school-scoped client sees. */
const visibleOrgIds = (s: Sharing, tenant: string): SqlFragment => ({
  sql: `(with recursive up(id) as (
          select x collate "C" from jsonb_array_elements_text(cast(? as jsonb)) x
          union
          select o.parent_sourced_id from orgs o join up on o.sourced_id = up.id where o.tenant_id = ? and o.parent_sourced_id is not null)
        select id from up)`,
  bindings: [JSON.stringify(s.schools), tenant],
});

const within = (column: string, set: SqlFragment): SqlFragment => ({ sql: `${column} in ${set.sql}`, bindings: set.bindings });
const and = (parts: SqlFragment[]): SqlFragment => ({ sql: parts.map((p) => `(${p.sql})`).join(' and '), bindings: parts.flatMap((p) => p.bindings) });

/** Conditions on users (alias `alias`) that the client's sharing imposes, if any. */
function userConditions(s: Sharing, alias: string): SqlFragment[] {
  const out: SqlFragment[] = [];
  if (s.schools) {
    const arr = schoolArray(s);
    out.push({ sql: `${alias}.org_sourced_ids && ${arr.sql}`, bindings: arr.bindings });
  }
  if (!s.guardians) out.push({ sql: `${alias}.role not in (${guardianList})`, bindings: [] });
  return out;
}

/**
 * The WHERE conditions (over row alias `r`) that keep a client inside its sharing scope. They are
 * ANDed around the client's own filter (see query/build-select), so no filter can widen them.
 * Academic sessions are district-wide calendars and stay visible to every client.
 */
export function sharingConditions(entity: EntityName, s: Sharing, tenant: string): SqlFragment[] {
  switch (entity) {
    case 'orgs':
      return s.schools ? [within('r.sourced_id', visibleOrgIds(s, tenant))] : [];
    case 'courses':
      return s.schools ? [within('r.org_sourced_id', visibleOrgIds(s, tenant))] : [];
    case 'classes':
    case 'enrollments': {
      if (!s.schools) return [];
      const arr = schoolArray(s);
      return [{ sql: `r.school_sourced_id = any(${arr.sql})`, bindings: arr.bindings }];
    }
    case 'users':
      return userConditions(s, 'r');
    case 'demographics': {
      const users = userConditions(s, 'u');
      if (!users.length) return [];
      const cond = and(users);
      return [{ sql: `exists (select 1 from users u where u.tenant_id = ? and u.sourced_id = r.sourced_id and ${cond.sql})`, bindings: [tenant, ...cond.bindings] }];
    }
    default:
      return [];
  }
}

/** The ids of the orgs a school-scoped client sees (undefined = all). */
export async function visibleOrgs(knex: Knex, s: Sharing, tenant: string): Promise<Set<string> | undefined> {
  if (!s.schools) return undefined;
  const q = visibleOrgIds(s, tenant);
  const rows = (await knex.raw(`select id from ${q.sql} as v(id)`, q.bindings)).rows as Array<{ id: string }>;
  return new Set(rows.map((r) => r.id));
}

/**
 * Fields a client may not filter, sort or select on: its masked fields, the user flags and the
 * agents when those are not shared. A filter on one of them would reveal it, so it is refused.
 */
export function hiddenFields(entity: EntityName, s: Sharing): Set<string> {
  const hidden = maskedFieldsOf(s, entity);
  if (entity === 'users' && !s.userFlags) hidden.add('metadata.microsoft.userFlags');
  if (entity === 'users' && !s.guardians) hidden.add('agents');
  return hidden;
}

type Json = Record<string, any>;

/**
 * Takes out of a serialized record what the client may not see: masked fields, user flags and
 * agents when not shared, and (for school-scoped clients) references to orgs outside the scope.
 */
export function maskRecord(entity: EntityName, record: Json, s: Sharing, orgs: Set<string> | undefined): Json {
  for (const f of maskedFieldsOf(s, entity)) delete record[f];
  if (entity !== 'users') return record;
  if (!s.userFlags && record.metadata?.['microsoft.userFlags'] !== undefined) {
    const { 'microsoft.userFlags': _, ...rest } = record.metadata;
    if (Object.keys(rest).length) record.metadata = rest;
    else delete record.metadata;
  }
  if (!s.guardians) delete record.agents;
  if (orgs) {
    if (Array.isArray(record.orgs)) record.orgs = record.orgs.filter((o: Json) => orgs.has(o.sourcedId));
    if (Array.isArray(record.roles)) record.roles = record.roles.filter((o: Json) => orgs.has(o.org?.sourcedId));
    if (record.primaryOrg && !orgs.has(record.primaryOrg.sourcedId)) delete record.primaryOrg;
  }
  return record;
}
