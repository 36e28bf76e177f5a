import type { Knex } from 'knex';
import { ENTITIES } from '../model/entities.js';
import { buildCollectionQuery, orderOf, sortKeyOf, whereOf, type CollectionQuery } from './build-select.js';
import type { SqlFragment } from './compile-filter.js';

export type PageRow = { sourced_id: string; status: string; date_last_modified: Date; data: Record<string, unknown> };
export type Page = { rows: PageRow[]; total: number; seeked: boolean };

/** Where a page ended: the last row's sort key and sourcedId. The next page starts after it. */
type Boundary = { key: string; sid: string };
type Entry = { total?: number; boundaries: Map<number, Boundary> };

const MAX_QUERIES = 2000;
const MAX_BOUNDARIES = 20_000;

/**
 * Serves collection pages in O(limit): when the previous page of the same query over the same data
 * ended exactly where this one starts, the page seeks past that row's (sort key, sourcedId) through
 * the index instead of counting `offset` rows; otherwise it falls back to OFFSET. Totals are counted
 * once per query and data version. The cache is per process and keyed by the tenant's data version,
 * so any write makes old entries unreachable; results are always those of plain ORDER BY/OFFSET.
 */
export class Pager {
  private readonly cache = new Map<string, Entry>();

  async page(knex: Knex, q: CollectionQuery): Promise<Page> {
    return knex.transaction(
      async (trx) => {
        const version = (await trx.raw('select data_version from tenants where id = ?', [q.tenant])).rows[0]?.data_version ?? -1;
        const where = whereOf(q);
        const order = orderOf(q);
        const { page, count } = buildCollectionQuery(q, where, order);
        const entry = this.entry(JSON.stringify([q.tenant, q.entity, q.version, where, order, String(version)]));
        const sortKey = sortKeyOf(q);
        const boundary = q.params.offset > 0 && (!sortKey || sortKey.seekable) ? entry.boundaries.get(q.params.offset) : undefined;
        const query = boundary ? seek(q, where, order, boundary) : page;
        const rows = (await trx.raw(query.sql, query.bindings)).rows as PageRow[];
        entry.total ??= (await trx.raw(count.sql, count.bindings)).rows[0].total as number;
        const last = rows[rows.length - 1];
        if (last && entry.boundaries.size < MAX_BOUNDARIES) {
          entry.boundaries.set(q.params.offset + rows.length, { key: keyOf(last, sortKey?.name), sid: last.sourced_id });
        }
        return { rows, total: entry.total, seeked: boundary !== undefined };
      },
      { isolationLevel: 'repeatable read' }, // version, page and total from one snapshot
    );
  }

  private entry(key: string): Entry {
    let e = this.cache.get(key);
    if (e) {
      this.cache.delete(key); // most recently used goes last
    } else {
      e = { boundaries: new Map() };
      if (this.cache.size >= MAX_QUERIES) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, e);
    return e;
  }
}

/** The value of the (seekable) sort field in a returned row, as text the database can compare again. */
function keyOf(row: PageRow, sort: string | undefined): string {
  if (sort === 'dateLastModified') return row.date_last_modified.toISOString();
  if (sort === 'status') return row.status;
  return row.sourced_id;
}

/** The same page found by seeking past the previous page's last row. */
function seek(q: CollectionQuery, where: SqlFragment, order: SqlFragment, b: Boundary): SqlFragment {
  const key = sortKeyOf(q);
  const cmp = q.params.descending ? '<' : '>';
  const after: SqlFragment = key
    ? { sql: `(${key.sql}, r.sourced_id) ${cmp} (${key.name === 'dateLastModified' ? '?::timestamptz' : '?'}, ?)`, bindings: [...key.bindings, b.key, b.sid] }
    : { sql: `r.sourced_id ${cmp} ?`, bindings: [b.sid] };
  return {
    sql: `select r.sourced_id, r.status, r.date_last_modified, r.data from ${ENTITIES[q.entity].table} r
          where ${where.sql} and ${after.sql} order by ${order.sql} limit ?`,
    bindings: [...where.bindings, ...after.bindings, ...order.bindings, String(q.params.limit)],
  };
}
