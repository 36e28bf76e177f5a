import { ENTITIES, type EntityName } from '../model/entities.js';
import type { OneRosterVersion } from '../model/vocab.js';
import type { CollectionParams } from './collection-params.js';
import { compileFilter, type SqlFragment } from './compile-filter.js';
import { lookupField } from './registry/index.js';

export type CollectionQuery = {
  entity: EntityName;
  version: OneRosterVersion;
  tenant: string;
  /**
   * Conditions the caller imposes (the endpoint's own restriction such as role = student, a
   * client's sharing scope): ANDed around the client's filter, so no OR in it can widen them.
   */
  scope: SqlFragment[];
  params: CollectionParams;
};

/** The WHERE clause: tenant, then each scope condition, then the client's filter in its own parentheses. */
export function whereOf(q: CollectionQuery): SqlFragment {
  const parts: SqlFragment[] = [{ sql: 'r.tenant_id = ?', bindings: [q.tenant] }, ...q.scope.map((s) => ({ sql: `(${s.sql})`, bindings: s.bindings }))];
  if (q.params.filter) {
    const f = compileFilter(q.params.filter, q.entity, q.version);
    parts.push({ sql: `(${f.sql})`, bindings: f.bindings });
  }
  return { sql: parts.map((p) => p.sql).join(' and '), bindings: parts.flatMap((p) => p.bindings) };
}

/** The sort key (without the sourcedId tiebreak), or undefined when sorting by sourcedId alone. */
export function sortKeyOf(q: CollectionQuery): (SqlFragment & { seekable: boolean; name: string }) | undefined {
  if (!q.params.sort || q.params.sort === 'sourcedId') return undefined;
  const field = lookupField(q.entity, q.version, q.params.sort)!;
  const sql = field.type === 'text' || field.type === 'enum' || field.type === 'date' || field.type === 'id' ? `(${field.sql}) collate "C"` : field.sql;
  return { sql, bindings: field.metadataKey === undefined ? [] : [field.metadataKey], seekable: field.seekable === true, name: q.params.sort };
}

/** ORDER BY (sort key, sourcedId): a stable order, so offset pages never overlap or skip. */
export function orderOf(q: CollectionQuery): SqlFragment {
  const dir = q.params.descending ? 'desc' : 'asc';
  const tiebreak = `r.sourced_id ${dir}`;
  const key = sortKeyOf(q);
  return key ? { sql: `${key.sql} ${dir}, ${tiebreak}`, bindings: key.bindings } : { sql: tiebreak, bindings: [] };
}

/** The page of rows and the total count for a collection request (WHERE and ORDER BY passed in when already built). */
export function buildCollectionQuery(q: CollectionQuery, where = whereOf(q), order = orderOf(q)): { page: SqlFragment; count: SqlFragment } {
  const table = ENTITIES[q.entity].table;
  return {
    page: {
      sql: `select r.* from ${table} r where ${where.sql} order by ${order.sql} limit ? offset ?`,
      bindings: [...where.bindings, ...order.bindings, String(q.params.limit), String(q.params.offset)],
    },
    count: { sql: `select count(*)::int as total from ${table} r where ${where.sql}`, bindings: where.bindings },
  };
}
