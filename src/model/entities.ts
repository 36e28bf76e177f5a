/**
 * The roster entities as the store keeps them: table, the columns extracted from `data` for
 * indexes, and the references each record makes (checked at import, served as GUIDRefs).
 * `data` is the canonical OneRoster 1.2-superset record without sourcedId/status/dateLastModified,
 * with GUIDRefs stored as {sourcedId, type}.
 */
export type EntityName = 'orgs' | 'academicSessions' | 'courses' | 'classes' | 'users' | 'enrollments' | 'demographics';

type Data = Record<string, unknown>;
type GuidRef = { sourcedId: string } | undefined;

/** A reference from one record to others: the sourcedIds it names, read from the canonical record. */
export type Reference = { field: string; target: EntityName; ids: (data: Data) => string[] };

export type EntityDef = {
  name: EntityName;
  table: string;
  /** Extracted columns: column name -> SQL expression over `data`. */
  columns: Record<string, string>;
  references: Reference[];
};

const ref = (path: string) => `data->'${path}'->>'sourcedId'`;
/** ids of a single GUIDRef at `key`, or of an array of them. */
const one = (key: string) => (d: Data) => {
  const r = d[key] as GuidRef;
  return r ? [r.sourcedId] : [];
};
const many = (key: string) => (d: Data) => ((d[key] as GuidRef[] | undefined) ?? []).map((r) => r!.sourcedId);

export const ENTITIES: Record<EntityName, EntityDef> = {
  orgs: {
    name: 'orgs',
    table: 'orgs',
    columns: { type: `data->>'type'`, parent_sourced_id: ref('parent') },
    references: [{ field: 'parentSourcedId', target: 'orgs', ids: one('parent') }],
  },
  academicSessions: {
    name: 'academicSessions',
    table: 'academic_sessions',
    columns: { type: `data->>'type'`, parent_sourced_id: ref('parent') },
    references: [{ field: 'parentSourcedId', target: 'academicSessions', ids: one('parent') }],
  },
  courses: {
    name: 'courses',
    table: 'courses',
    columns: { org_sourced_id: ref('org') },
    references: [
      { field: 'schoolYearSourcedId', target: 'academicSessions', ids: one('schoolYear') },
      { field: 'orgSourcedId', target: 'orgs', ids: one('org') },
    ],
  },
  classes: {
    name: 'classes',
    table: 'classes',
    columns: {
      course_sourced_id: ref('course'),
      school_sourced_id: ref('school'),
      term_sourced_ids: `array(select t->>'sourcedId' from jsonb_array_elements(data->'terms') t)`,
    },
    references: [
      { field: 'courseSourcedId', target: 'courses', ids: one('course') },
      { field: 'schoolSourcedId', target: 'orgs', ids: one('school') },
      { field: 'termSourcedIds', target: 'academicSessions', ids: many('terms') },
    ],
  },
  users: {
    name: 'users',
    table: 'users',
    columns: {
      // The primary role at the primary org, else the first primary role, else the first role. With
      // one role (nearly every user) that is the role, read without the subqueries (an import
      // computes this for every row).
      role: `case when (data #> '{roles,1}') is null then data #>> '{roles,0,role}' else coalesce(
        (select r->>'role' from jsonb_array_elements(data->'roles') r
          where r->>'roleType' = 'primary' and r->'org'->>'sourcedId' = data->'primaryOrg'->>'sourcedId' limit 1),
        (select r->>'role' from jsonb_array_elements(data->'roles') r where r->>'roleType' = 'primary' limit 1),
        data->'roles'->0->>'role') end`,
      // The distinct orgs of the roles; with one role, its org.
      org_sourced_ids: `case when (data #> '{roles,0}') is not null and (data #> '{roles,1}') is null then array[data #>> '{roles,0,org,sourcedId}']
        else array(select distinct r->'org'->>'sourcedId' from jsonb_array_elements(data->'roles') r) end`,
    },
    references: [
      { field: 'orgSourcedIds', target: 'orgs', ids: (d) => ((d.roles as Array<{ org: GuidRef }> | undefined) ?? []).map((r) => r.org!.sourcedId) },
      { field: 'primaryOrgSourcedId', target: 'orgs', ids: one('primaryOrg') },
      { field: 'agentSourcedIds', target: 'users', ids: many('agents') },
    ],
  },
  enrollments: {
    name: 'enrollments',
    table: 'enrollments',
    columns: {
      class_sourced_id: ref('class'),
      user_sourced_id: ref('user'),
      school_sourced_id: ref('school'),
      role: `data->>'role'`,
    },
    references: [
      { field: 'classSourcedId', target: 'classes', ids: one('class') },
      { field: 'schoolSourcedId', target: 'orgs', ids: one('school') },
      { field: 'userSourcedId', target: 'users', ids: one('user') },
    ],
  },
  demographics: { name: 'demographics', table: 'demographics', columns: {}, references: [] },
};

/**
 * The extracted column that holds the sourcedId of the single GUIDRef at `path` of an entity's
 * records, if there is one (the renderer reads it instead of walking `data`). It is written from
 * `data` in the same statement as the record, by the expression `ref(path)` above.
 */
export function refIdColumn(entity: EntityName, path: string): string | undefined {
  return Object.entries(ENTITIES[entity].columns).find(([, expr]) => expr === ref(path))?.[0];
}

/** The order in which an import applies entities, so references point backwards. */
export const APPLY_ORDER: EntityName[] = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments', 'demographics'];
