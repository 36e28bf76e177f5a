import type { Knex } from 'knex';

/**
 * After a write has committed: VACUUM the tables it changed. The first reader of a changed row
 * otherwise pays for looking up its transaction's commit and setting the row's hint bits, and
 * steps over the versions it replaced; autovacuum would do this much later, or (for a delta of a
 * few percent) not at all. VACUUM visits only pages changed since the last one, so after a delta
 * it costs little. A failure is left to autovacuum: the write itself has succeeded.
 */
export async function settleTables(knex: Knex, tables: Iterable<string>): Promise<void> {
  for (const table of tables) {
    try {
      await knex.raw(`vacuum ${table}`);
    } catch {
      // autovacuum will get to it
    }
  }
}
