import type { Knex } from 'knex';
import { ENTITIES, type EntityName } from '../../model/entities.js';
import type { SqlFragment } from '../../query/compile-filter.js';
import type { PageRow } from '../../query/pager.js';

/** One record of a tenant by sourcedId, if it also meets every condition (endpoint restriction, sharing scope). */
export async function findRecord(knex: Knex, entity: EntityName, tenant: string, sourcedId: string, conditions: SqlFragment[]): Promise<PageRow | undefined> {
  const where = conditions.map((c) => ` and (${c.sql})`).join('');
  const rows = (
    await knex.raw(
      `select r.sourced_id, r.status, r.date_last_modified, r.data from ${ENTITIES[entity].table} r where r.tenant_id = ? and r.sourced_id = ?${where}`,
      [tenant, sourcedId, ...conditions.flatMap((c) => c.bindings)],
    )
  ).rows as PageRow[];
  return rows[0];
}
