import type { Knex } from 'knex';

/**
 * A table's rows (all tenants) as Postgres last counted them: by ANALYZE, VACUUM or an index
 * build (`pg_class.reltuples`); -1 when it never has. Free to ask, and close enough to decide
 * how to treat a change or a query by its size.
 */
export async function countedRows(knex: Knex, table: string): Promise<number> {
  const res = await knex.raw('select reltuples from pg_class where oid = cast(? as regclass)', [table]);
  return Number(res.rows[0]?.reltuples ?? -1);
}

/**
 * Whether `rows` changed rows are more than a tenth of the table as last counted, or the table was
 * never counted: the size at which Postgres's own autovacuum would analyze it.
 */
export async function isLargeChange(knex: Knex, table: string, rows: number): Promise<boolean> {
  const counted = await countedRows(knex, table);
  return counted < 0 || rows > counted / 10;
}
