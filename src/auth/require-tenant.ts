import type { Knex } from 'knex';
import { RollcallError } from '../errors.js';

/** Throws not_found unless the tenant exists (API clients and tenant admins belong to an existing tenant). */
export async function requireTenant(knex: Knex, tenant: string): Promise<void> {
  const res = await knex.raw('select 1 from tenants where id = ?', [tenant]);
  if (res.rows.length > 0) return;
  throw new RollcallError(
    'not_found',
    `tenant "${tenant}" does not exist; import data into it first (rollcall import <folder-or-zip> --tenant ${tenant}) ` +
      `or load the demo district into it (rollcall demo --tenant ${tenant})`,
    { tenant },
  );
}
