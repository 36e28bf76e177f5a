import type { Knex } from 'knex';

/** Creates the tenant when missing; says whether it did. */
export async function ensureTenant(db: Knex, id: string, name = id): Promise<boolean> {
  const res = await db.raw('insert into tenants (id, name) values (?, ?) on conflict (id) do nothing returning id', [id, name]);
  return res.rows.length > 0;
}

export async function listTenants(db: Knex): Promise<string[]> {
  const res = await db.raw('select id from tenants order by id');
  return res.rows.map((r: { id: string }) => r.id);
}

/**
 * Serialises writers of one tenant for the rest of the transaction, bumps the tenant's data
 * version (caches of totals and page boundaries key on it), and returns the store's clock for the
 * transaction's changes: every record it changes gets this dateLastModified (ms precision).
 * It fails for a tenant that does not exist: entity rows have no foreign key to tenants (a check
 * per written row), so this is what keeps every row's tenant real; the tenant row stays locked
 * until the transaction ends.
 */
export async function lockTenantForWrite(trx: Knex.Transaction, tenantId: string): Promise<Date> {
  await trx.raw(`select pg_advisory_xact_lock(hashtext('rollcall:tenant:' || ?))`, [tenantId]);
  const bumped = await trx.raw('update tenants set data_version = data_version + 1 where id = ?', [tenantId]);
  if (!bumped.rowCount) throw new Error(`tenant ${tenantId} does not exist`);
  const res = await trx.raw(`select date_trunc('milliseconds', clock_timestamp()) as ts`);
  return res.rows[0].ts as Date;
}
