import type { Knex } from 'knex';
import { ENTITIES, type EntityName } from '../../model/entities.js';
import type { SqlFragment } from '../../query/compile-filter.js';

const andAll = (conditions: SqlFragment[]) => conditions.map((c) => ` and (${c.sql})`).join('');

/** Whether a tenant has a record with this sourcedId that also meets every condition (endpoint restriction, sharing scope). */
export async function findRecord(knex: Knex, entity: EntityName, tenant: string, sourcedId: string, conditions: SqlFragment[]): Promise<boolean> {
  const rows = (
    await knex.raw(`select 1 from ${ENTITIES[entity].table} r where r.tenant_id = ? and r.sourced_id = ?${andAll(conditions)}`, [
      tenant, sourcedId, ...conditions.flatMap((c) => c.bindings),
    ])
  ).rows;
  return rows.length > 0;
}

/** The same record rendered as JSON text by `render` (an expression over the row alias `r`), or undefined. */
export async function findRendered(
  knex: Knex, entity: EntityName, tenant: string, sourcedId: string, conditions: SqlFragment[], render: SqlFragment,
): Promise<string | undefined> {
  const rows = (
    await knex.raw(`select ${render.sql} as json from ${ENTITIES[entity].table} r where r.tenant_id = ? and r.sourced_id = ?${andAll(conditions)}`, [
      ...render.bindings, tenant, sourcedId, ...conditions.flatMap((c) => c.bindings),
    ])
  ).rows as Array<{ json: string }>;
  return rows[0]?.json;
}
