import type { Knex } from 'knex';

const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$/i;

/** The snapshot of `trx` (repeatable read), for snapshotSession while `trx` stays open. */
export async function exportSnapshot(trx: Knex.Transaction): Promise<string> {
  return (await trx.raw('select pg_export_snapshot() as id')).rows[0].id as string;
}

/**
 * A read-only transaction on another connection of the pool, on the snapshot `id` exported by a
 * transaction that stays open meanwhile: it sees exactly the data that transaction sees, whatever
 * is committed since. The caller ends it (commit or rollback).
 */
export async function snapshotSession(knex: Knex, id: string): Promise<Knex.Transaction> {
  if (!SNAPSHOT_ID.test(id)) throw new Error(`unexpected snapshot id from pg_export_snapshot(): ${id}`);
  const session = await knex.transaction({ isolationLevel: 'repeatable read', readOnly: true });
  try {
    await session.raw(`set transaction snapshot '${id}'`); // SET takes no bind parameters; the id was checked above
  } catch (e) {
    await session.rollback();
    throw e;
  }
  return session;
}
