import type { Knex } from 'knex';

const ENTITY_TABLES = ['orgs', 'academic_sessions', 'courses', 'classes', 'users', 'enrollments', 'demographics'];

/**
 * ANALYZE no longer gathers statistics on each entity table's `data` (the record as jsonb). No
 * plan uses them: filters, sorts and joins work on extracted columns or on expressions over
 * `data`, and neither reads the column's own statistics (the API never applies jsonb operators
 * such as @> to the whole record). Building them was about 40% of an ANALYZE: sorting a sample
 * of 30,000 records by jsonb comparison for a histogram. Every import analyzes each table it
 * changed, so this cost came once per file.
 */
export async function up(knex: Knex): Promise<void> {
  for (const t of ENTITY_TABLES) await knex.raw(`alter table ${t} alter column data set statistics 0`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ENTITY_TABLES) await knex.raw(`alter table ${t} alter column data set statistics -1`);
}
