import type { Knex } from 'knex';

/**
 * The fewest rows a load must bring for its indexes to be built after it. Below it there is
 * nothing to gain (S's import, whose files but two are smaller, took 1.74-2.32 s either way in
 * five interleaved pairs), and the table's readers would be locked out for nothing.
 */
export const BUILD_AFTER_ROWS = 10_000;

/** Postgres's lock_not_available: NOWAIT found the lock taken. */
const LOCK_NOT_AVAILABLE = '55P03';

class NotEmpty extends Error {}

type IndexDef = { name: string; def: string; constraint: string | null; constraintDef: string | null };

/**
 * Runs `load`, which only inserts `rows` active rows into `table`, and, when the table holds no
 * rows at all (a new store's first import of that kind) and `rows` is at least BUILD_AFTER_ROWS,
 * with the table's indexes (but its partial ones) dropped first and built again after it from their
 * own definitions, in the same transaction. Building an index over the loaded
 * rows costs a fraction of keeping it up row by row: at the benchmark's M size, 469,492 enrollments
 * took 5.4 s to insert with their six indexes, against 1.5 s without them and 1.6 s to build them.
 *
 * Dropping an index locks the table against readers until the transaction ends, so this is done
 * only when that locks nothing out that there is to read: the table must be empty for every
 * tenant, and the lock must be free at once (NOWAIT); a table another key references keeps its
 * indexes too. Otherwise, or when another import fills the table first, `load` runs with the
 * indexes in place, as for any later import. The lock is then released at once (its savepoint is
 * rolled back), so only a load that does rebuild holds it.
 */
export async function withIndexesBuiltAfter<T>(trx: Knex.Transaction, table: string, rows: number, load: () => Promise<T>): Promise<T> {
  if (rows < BUILD_AFTER_ROWS || !(await isEmpty(trx, table)) || !(await lockedEmpty(trx, table))) return load();
  const indexes = await indexesOf(trx, table);
  for (const ix of indexes) {
    if (ix.constraint) await trx.raw(`alter table ${table} drop constraint ${ix.constraint}`);
    else await trx.raw(`drop index ${ix.name}`);
  }
  const result = await load();
  for (const ix of indexes) {
    if (ix.constraint) await trx.raw(`alter table ${table} add constraint ${ix.constraint} ${ix.constraintDef}`);
    else await trx.raw(ix.def);
  }
  return result;
}

async function isEmpty(trx: Knex.Transaction, table: string): Promise<boolean> {
  return (await trx.raw(`select not exists (select 1 from ${table}) as empty`)).rows[0].empty;
}

/**
 * Whether the table could be locked at once and, locked, is still empty and referenced by no
 * foreign key; the lock is kept only then.
 */
async function lockedEmpty(trx: Knex.Transaction, table: string): Promise<boolean> {
  try {
    await trx.transaction(async (sp) => {
      await sp.raw(`lock table ${table} in access exclusive mode nowait`);
      const referenced = (await sp.raw('select exists (select 1 from pg_constraint where confrelid = cast(? as regclass)) as any', [table])).rows[0].any;
      if (referenced || !(await isEmpty(sp, table))) throw new NotEmpty();
    });
    return true;
  } catch (e) {
    if (e instanceof NotEmpty || (e as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
    throw e;
  }
}

/**
 * The table's indexes to build after the load, each with its definition, and the constraint
 * (primary key, unique) it backs. Partial indexes stay: the store's hold tombstones only, a load
 * inserts active rows (EntityStage.insertAll), and building one again would read the whole table
 * to find nothing.
 */
async function indexesOf(trx: Knex.Transaction, table: string): Promise<IndexDef[]> {
  const res = await trx.raw(
    `select cast(cast(i.indexrelid as regclass) as text) as name, pg_get_indexdef(i.indexrelid) as def,
            quote_ident(c.conname) as constraint, pg_get_constraintdef(c.oid) as "constraintDef"
       from pg_index i left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid and c.contype in ('p', 'u', 'x')
      where i.indrelid = cast(? as regclass) and i.indpred is null
      order by c.conname is null, i.indexrelid`,
    [table],
  );
  return res.rows;
}
