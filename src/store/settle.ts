import type { Knex } from 'knex';
import { isLargeChange } from './counted-rows.js';

/** What one committed write changed in one table: the rows it created, updated or tombstoned, each stamped with the write's clock. */
export type TableChange = { table: string; rows: number };

/**
 * After a write has committed, so that the first reader of the rows it wrote does not pay for
 * their hint bits (looking up the writing transaction's commit and marking each row, which
 * dirties its page).
 *
 * - A change of more than a tenth of a table (a district's first load, a large re-import) is
 *   VACUUMed, as autovacuum would do soon after: that also marks the pages all-visible and
 *   removes the row versions the write replaced.
 * - A smaller change (a delta) is read once instead, through the table's dateLastModified
 *   index: exactly the rows written at the write's clock, which sets their hint bits. A VACUUM
 *   would cost far more: once the versions it replaced lie on more than 2% of the table's pages,
 *   VACUUM reads every index of the table in full (at the benchmark's L size, 1.1-2.0 s for the
 *   users and 1.4-7.5 s for the enrollments of a 1% delta, against 0.04-1.5 s to read the rows).
 *   The replaced versions are left to autovacuum, as those of any update are.
 *
 * A failure is left to autovacuum: the write itself has succeeded.
 */
export async function settleTables(knex: Knex, tenant: string, clock: Date, changes: Iterable<TableChange>): Promise<void> {
  for (const { table, rows } of changes) {
    if (rows <= 0) continue;
    try {
      // Counted after a large change by the ANALYZE the write ran.
      if (await isLargeChange(knex, table, rows)) await knex.raw(`vacuum ${table}`);
      else await knex.raw(`select count(*) from ${table} where tenant_id = ? and date_last_modified = ?`, [tenant, clock]);
    } catch {
      // autovacuum will get to it
    }
  }
}
