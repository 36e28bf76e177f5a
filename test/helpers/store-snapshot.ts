import type { Knex } from 'knex';
import { ENTITIES } from '../../src/model/entities.js';

export type Snapshot = Map<string, { status: string; dlm: string; hash: string }>;

/** Every record of a tenant keyed `entity/sourcedId`, to compare what an operation changed. */
export async function snapshot(knex: Knex, tenant: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const def of Object.values(ENTITIES)) {
    const res = await knex.raw(
      `select sourced_id, status, to_char(date_last_modified at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as dlm, content_hash from ${def.table} where tenant_id = ?`,
      [tenant],
    );
    for (const r of res.rows) out.set(`${def.name}/${r.sourced_id}`, { status: r.status, dlm: r.dlm, hash: r.content_hash });
  }
  return out;
}

/** Keys whose status, dateLastModified or content differ between two snapshots (or exist in only one). */
export function changedKeys(before: Snapshot, after: Snapshot): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => JSON.stringify(before.get(k)) !== JSON.stringify(after.get(k))).sort();
}
