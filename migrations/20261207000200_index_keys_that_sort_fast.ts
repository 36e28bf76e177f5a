import type { Knex } from 'knex';

/** The indexes that find records by the record they refer to; the nested endpoints give both columns by equality. */
const REFERENCE_INDEXES: Array<[index: string, table: string, column: string]> = [
  ['orgs_parent', 'orgs', 'parent_sourced_id'],
  ['academic_sessions_parent', 'academic_sessions', 'parent_sourced_id'],
  ['courses_org', 'courses', 'org_sourced_id'],
  ['classes_course', 'classes', 'course_sourced_id'],
  ['classes_school', 'classes', 'school_sourced_id'],
  ['enrollments_class', 'enrollments', 'class_sourced_id'],
  ['enrollments_user', 'enrollments', 'user_sourced_id'],
  ['enrollments_school', 'enrollments', 'school_sourced_id'],
];

/** Vocabulary columns in an index: their values are ASCII words, the same in either order. */
const INDEXED_VOCABULARY: Array<[table: string, column: string]> = [
  ['orgs', 'type'],
  ['academic_sessions', 'type'],
  ['users', 'role'],
];

/**
 * Index keys that Postgres sorts fast when it builds the index (a district's first import builds
 * them after loading the rows, and a large one spends seconds on each).
 *
 * - A reference index leads with the referenced id, then the tenant: the API's nested endpoints
 *   give both by equality, so either order finds the same entries, but a sort compares the first column by a
 *   short abbreviated key, which is useless when that column is the tenant (the same in every
 *   row). At the benchmark's L size, the enrollments' class index took 2.7-2.9 s to build this way
 *   against 3.9-5.5 s tenant first.
 * - users.role and the orgs' and sessions' type compare in code-point order ("C"), as the API
 *   sorts and compares them anyway: with the database's own collation every comparison went
 *   through the C library (users_role at L: 1.5-1.6 s against 2.0-2.5 s).
 */
export async function up(knex: Knex): Promise<void> {
  for (const [index, table, column] of REFERENCE_INDEXES) {
    await knex.raw(`drop index ${index}`);
    await knex.raw(`create index ${index} on ${table} (${column}, tenant_id)`);
  }
  for (const [table, column] of INDEXED_VOCABULARY) await knex.raw(`alter table ${table} alter column ${column} type text collate "C"`);
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, column] of INDEXED_VOCABULARY) await knex.raw(`alter table ${table} alter column ${column} type text collate "default"`);
  for (const [index, table, column] of REFERENCE_INDEXES) {
    await knex.raw(`drop index ${index}`);
    await knex.raw(`create index ${index} on ${table} (tenant_id, ${column})`);
  }
}
