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
