import type { Knex } from 'knex';

/**
 * A counter per tenant that every writing transaction bumps (under the tenant's write lock): a
 * cheap, exact "has anything changed" token for caches of page boundaries and totals.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table tenants add column data_version bigint not null default 0');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table tenants drop column data_version');
}
