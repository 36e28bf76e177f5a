import type { Knex } from 'knex';
import { ENTITIES, type EntityName } from '../model/entities.js';
import { buildCollectionQuery, orderOf, sortKeyOf, whereOf, type CollectionQuery } from './build-select.js';
import { countedRows } from '../store/counted-rows.js';
import { preparedRows } from '../store/prepared-rows.js';
import type { SqlFragment } from './compile-filter.js';
import { ReadAhead } from './read-ahead.js';
import { exportSnapshot, snapshotSession } from './snapshot-session.js';

/** A page's row: its sourcedId, its sort key as text (for the next page's seek) and the record's JSON text, rendered by the database. */
export type PageRow = { sourced_id: string; sort_key: string | null; json: string };
export type Page = {
  rows: PageRow[];
  total: number;
  /** Found by seeking past the previous page's last row (not by OFFSET). */
  seeked: boolean;
  /** Found through the query's matches (a selective query, such as a delta), not by walking the sort order. */
  matchesFirst: boolean;
  /** Rendered in two halves at once, on two connections sharing one snapshot. */
  split: boolean;
  /** Rendered ahead, while the previous page was being sent. */
  readAhead: boolean;
};
type Computed = Page & { dataVersion: number };

export type PagerOptions = {
  /**
   * After each page that has a next one, render the next page on another connection while this one
   * is sent and read, so a client paging to the end finds it ready. For a database that runs
   * queries beside the server (Postgres); on the embedded one it would only queue behind the server.
   */
  readAhead?: boolean;
  /**
   * Render a page of at least this many rows in two halves at once, the second on another
   * connection that imports the first one's snapshot (Postgres), while the database is otherwise
   * idle. Unset: one query a page.
   */
  splitRows?: number;
  /** A query with at most this many matches, and a tenth of the table or fewer, reads its matches first (default MATCHES_FIRST_MAX). */
  matchesFirstMax?: number;
};

/** A row of a selective page, as its first statement finds it: its address (`ctid`) and sourcedId. */
export type Found = { row_id: string; sourced_id: string };

/** Where a page ended: the last row's sort key and sourcedId. The next page starts after it. */
type Boundary = { key: string; sid: string };
/**
 * A selective query's matches from the `from`th on, in the query's order, as one of its later
 * pages found them: the pages after it read their rows at these addresses without finding them.
 */
type KeptMatches = { from: number; found: Found[] };
/** What is known of one query at one data version (`key`): its total, whether it is selective, where its pages end, its matches. */
type Entry = { key: string; total?: number; selective?: boolean; boundaries: Map<number, Boundary>; matches?: KeptMatches };

const MAX_QUERIES = 2000;
const MAX_BOUNDARIES = 20_000;
/** Pages held ahead at once (about 3 MB each at limit 5000), and how long one waits to be asked for. */
const MAX_AHEAD = 8;
const AHEAD_TTL_MS = 60_000;
/** Read ahead only while fewer pages than this are being rendered: beyond it the database has no idle time to fill, and held pages only cost memory. */
const BUSY = 2;
/** A query with at most this many matches, and a tenth of the table or fewer, reads its matches first. */
const MATCHES_FIRST_MAX = 100_000;
/** Matches kept for later pages, over all queries: 26.5 MB of heap for 200,000 with 40-character sourcedIds (an address and a sourcedId each). */
const MAX_KEPT_MATCHES = 200_000;

/**
 * Serves collection pages in O(limit): when the previous page of the same query over the same data
 * ended exactly where this one starts, the page seeks past that row's (sort key, sourcedId) through
 * the index instead of counting `offset` rows; otherwise it falls back to OFFSET. Totals are counted
 * once per query and data version. The cache is per process and keyed by the tenant's data version,
 * so any write makes old entries unreachable; results are always those of plain ORDER BY/OFFSET.
 */
export class Pager {
  private readonly cache = new Map<string, Entry>();
  private readonly ahead = new ReadAhead<Computed>(MAX_AHEAD, AHEAD_TTL_MS);
  /** Pages being rendered now, asked for or ahead. */
  private rendering = 0;
  /** Matches kept by all entries (KeptMatches). */
  private kept = 0;

  constructor(private readonly options: PagerOptions = {}) {}

  /**
   * One page of `q`, each record rendered by `render` (an expression over the row alias `r` yielding
   * JSON text). A page rendered ahead is served only when the tenant's data version is still the
   * one it was rendered at, so it is what this request would have read.
   */
  async page(knex: Knex, q: CollectionQuery, render: SqlFragment): Promise<Page> {
    if (!this.options.readAhead) return strip(await this.compute(knex, q, render));
    const version = await dataVersion(knex, q.tenant);
    const ready = await this.ahead.take(pageKey(q, render, version))?.catch(() => undefined);
    const page = ready && ready.dataVersion === version ? { ...ready, readAhead: true } : await this.compute(knex, q, render);
    this.readNext(knex, q, render, page);
    return strip(page);
  }

  /** Starts rendering the page after `page`, when there is one and nobody has started it yet. */
  private readNext(knex: Knex, q: CollectionQuery, render: SqlFragment, page: Computed): void {
    const offset = q.params.offset + page.rows.length;
    if (page.rows.length < q.params.limit || offset >= page.total || this.rendering >= BUSY) return;
    const next: CollectionQuery = { ...q, params: { ...q.params, offset } };
    const key = pageKey(next, render, page.dataVersion);
    if (!this.ahead.has(key)) this.ahead.put(key, this.compute(knex, next, render));
  }

  private async compute(knex: Knex, q: CollectionQuery, render: SqlFragment): Promise<Computed> {
    this.rendering++;
    try {
      return await this.computeNow(knex, q, render);
    } finally {
      this.rendering--;
    }
  }

  private async computeNow(knex: Knex, q: CollectionQuery, render: SqlFragment): Promise<Computed> {
    return knex.transaction(
      async (trx) => {
        // A second connection on this transaction's snapshot, opened when first needed (Postgres,
        // while the database is otherwise idle): it counts a query's first page while this one
        // finds the page's matches, and renders the second half of a split page.
        let second: Promise<Knex.Transaction> | undefined;
        const onSnapshot = () => (second ??= exportSnapshot(trx).then((id) => snapshotSession(knex, id)));
        try {
          const page = await this.pageIn(trx, onSnapshot, q, render);
          await (await second)?.commit();
          return page;
        } catch (e) {
          // The page's own error is the one to report; the second connection is only let go.
          await second?.then((s) => s.rollback()).catch(() => undefined);
          throw e;
        }
      },
      { isolationLevel: 'repeatable read' }, // version, page and total from one snapshot
    );
  }

  private async pageIn(
    trx: Knex.Transaction, onSnapshot: () => Promise<Knex.Transaction>, q: CollectionQuery, render: SqlFragment,
  ): Promise<Computed> {
    const version = await dataVersion(trx, q.tenant);
    const where = whereOf(q);
    const order = orderOf(q);
    const { count } = buildCollectionQuery(q, where, order);
    const entry = this.entry(JSON.stringify([q.tenant, q.entity, q.version, where, order, String(version)]));
    const sortKey = sortKeyOf(q);
    const boundary = q.params.offset > 0 && (!sortKey || sortKey.seekable) ? entry.boundaries.get(q.params.offset) : undefined;
    const { limit, offset } = q.params;
    const { splitRows } = this.options;
    const maxMatches = this.options.matchesFirstMax ?? MATCHES_FIRST_MAX;
    // Only when this is the one page being rendered: then the second connection has a core to run
    // on, and no two requests can each hold one connection while waiting for another.
    const spare = splitRows !== undefined && this.rendering < BUSY;
    /**
     * A first page's matches, found while it was counted. Used only when the query proves
     * selective: then it has at most maxMatches matches, and the search found all of them.
     */
    let foundFirst: Found[] | undefined;
    if (entry.total === undefined && offset === 0 && spare) {
      // Counting and then finding took a first delta page of L's enrollments about 15 and then
      // 17-24 ms. Finding stops past maxMatches matches: a larger query is not selective anyway.
      const [total, found] = await Promise.all([
        onSnapshot().then(async (s) => (await s.raw(count.sql, count.bindings)).rows[0].total as number),
        trx.raw(NO_PARALLEL_WORKERS).then(() => this.addresses(trx, matchesFirst(q, where, undefined, limit, maxMatches + 1))),
      ]);
      entry.total = total;
      foundFirst = found;
    }
    const total = (entry.total ??= (await trx.raw(count.sql, count.bindings)).rows[0].total as number);
    entry.selective ??= total <= maxMatches && total * 10 <= Math.max(0, await countedRows(trx, ENTITIES[q.entity].table));
    // A page reads at most `limit` rows: parallel workers only add start-up cost (a parallel walk
    // of the primary key took 722 ms for a page of a 1% delta of 4.7M enrollments, 152 serially).
    // The count above may use them.
    await trx.raw(NO_PARALLEL_WORKERS);
    /** Rows `skip` to `skip + take` of the page, rendered (`found`: at those addresses). */
    const slice = (found: Found[] | undefined, take: number, skip: number): SqlFragment => {
      if (found) return renderedAt(q.entity, q.tenant, found.slice(skip, skip + take).map((f) => f.row_id), render, sortKey?.name);
      const base = boundary ? seek(q, where, order, boundary, take, skip) : offsetPage(q, where, order, take, skip);
      return renderedPage(base, render, order, sortKey?.name);
    };
    const split = spare && splitRows !== undefined && Math.min(limit, total - offset) >= splitRows;
    const pageRows = async (found: Found[] | undefined): Promise<PageRow[]> => {
      let rows: PageRow[];
      if (split) {
        const half = Math.ceil(Math.min(limit, total - offset) / 2); // the rows there are, halved (a last page may be short)
        const [first, second] = await Promise.all([
          rowsOf(trx, slice(found, half, 0)),
          onSnapshot().then(async (s) => {
            await s.raw(NO_PARALLEL_WORKERS);
            return rowsOf(s, slice(found, limit - half, half));
          }),
        ]);
        rows = first.concat(second);
      } else {
        rows = await rowsOf(trx, slice(found, limit, 0));
      }
      return found ? inFoundOrder(rows, found) : rows;
    };
    // A selective page finds its rows' addresses first, with a plan made for its values, or
    // takes them from the matches an earlier page kept.
    let matches = entry.selective ? (foundFirst ? { found: foundFirst, kept: false } : await this.matchesOf(trx, entry, q, where, boundary)) : undefined;
    let rows = await pageRows(matches?.found);
    if (matches?.kept && rows.length < matches.found.length) {
      // Kept addresses that no longer hold the page's rows: the table was rewritten since they
      // were found (VACUUM FULL). Forgotten, and the page's matches found again.
      this.forget(entry);
      matches = await this.matchesOf(trx, entry, q, where, boundary);
      rows = await pageRows(matches.found);
    }
    const last = rows[rows.length - 1];
    if (last && entry.boundaries.size < MAX_BOUNDARIES) {
      entry.boundaries.set(offset + rows.length, { key: last.sort_key ?? last.sourced_id, sid: last.sourced_id });
    }
    return { rows, total, seeked: boundary !== undefined, matchesFirst: entry.selective, split, readAhead: false, dataVersion: version };
  }

  /**
   * The addresses of a selective page's rows, in the page's order. The first page finds its own
   * rows only, as it is asked for while the client waits; a later page (most often read ahead,
   * while the page before it is sent) finds every match from its own on and keeps them, so the
   * pages after it only slice them: finding the matches read every one of them and sorted them,
   * 16-18 ms of each page of a 1% delta of L's enrollments (46,943 matches). Kept matches serve
   * only their entry's data version, as its total and boundaries do: a record's row version, and
   * so its address, stays while the tenant's data does, except when the table is rewritten
   * (VACUUM FULL), which pageIn notices as rows missing at the addresses. An address then
   * holding another tenant's row is never read (renderedAt).
   */
  private async matchesOf(
    trx: Knex.Transaction, entry: Entry, q: CollectionQuery, where: SqlFragment, boundary: Boundary | undefined,
  ): Promise<{ found: Found[]; kept: boolean }> {
    const { limit, offset } = q.params;
    const kept = entry.matches;
    if (kept && offset >= kept.from && offset < kept.from + kept.found.length) {
      return { found: kept.found.slice(offset - kept.from, offset - kept.from + limit), kept: true };
    }
    if (offset === 0) return { found: await this.addresses(trx, matchesFirst(q, where, undefined, limit)), kept: false };
    const all = await this.addresses(trx, matchesFirst(q, where, boundary, null));
    this.keep(entry, { from: offset, found: all });
    return { found: all.slice(0, limit), kept: false };
  }

  /** The rows a selective page's first statement (matchesFirst) finds, in the page's order. */
  private async addresses(trx: Knex.Transaction, query: SqlFragment): Promise<Found[]> {
    return (await trx.raw(query.sql, query.bindings)).rows;
  }

  /** Keeps `matches` for the entry's later pages, forgetting those of the least recently used entries past MAX_KEPT_MATCHES. */
  private keep(entry: Entry, matches: KeptMatches): void {
    this.forget(entry);
    // Not for an entry the cache let go of while its matches were being found: nothing would forget them.
    if (matches.found.length > MAX_KEPT_MATCHES || this.cache.get(entry.key) !== entry) return;
    for (const e of this.cache.values()) {
      if (this.kept + matches.found.length <= MAX_KEPT_MATCHES) break;
      this.forget(e);
    }
    entry.matches = matches;
    this.kept += matches.found.length;
  }

  private forget(entry: Entry): void {
    if (entry.matches) this.kept -= entry.matches.found.length;
    entry.matches = undefined;
  }

  private entry(key: string): Entry {
    let e = this.cache.get(key);
    if (e) {
      this.cache.delete(key); // most recently used goes last
    } else {
      e = { key, boundaries: new Map() };
      if (this.cache.size >= MAX_QUERIES) {
        const [oldest, old] = this.cache.entries().next().value!;
        this.forget(old);
        this.cache.delete(oldest);
      }
    }
    this.cache.set(key, e);
    return e;
  }
}

const strip = ({ dataVersion: _, ...page }: Computed): Page => page;

const NO_PARALLEL_WORKERS = 'set local max_parallel_workers_per_gather = 0';

/**
 * A page's rendered rows, as a prepared statement with a generic plan (preparedRows): the rendering
 * statement walks the sort order or reads given row addresses, whose plans do not depend on the
 * values, and parsing and planning the rendering took 10-20 ms of each page.
 */
const rowsOf = (trx: Knex.Transaction, query: SqlFragment) => preparedRows<PageRow>(trx, query);

async function dataVersion(knex: Knex, tenant: string): Promise<number> {
  return (await knex.raw('select data_version from tenants where id = ?', [tenant])).rows[0]?.data_version ?? -1;
}

/** A page of a query as one client would render it (filter, order, fields, sharing, base URL), at a data version. */
function pageKey(q: CollectionQuery, render: SqlFragment, version: number): string {
  return JSON.stringify([q.tenant, q.entity, q.version, whereOf(q), orderOf(q), render, q.params.limit, q.params.offset, version]);
}

/** The value of the (seekable) sort field, as text the database can compare again (null when sorting by sourcedId). */
function sortKeyText(sort: string | undefined): string {
  if (sort === 'dateLastModified') return 'r.date_last_modified::text';
  if (sort === 'status') return 'r.status';
  return 'null';
}

/**
 * The page's rows (already limited) with each record rendered: the rendering runs over the page
 * alone, never over rows an OFFSET skips, and the outer ORDER BY keeps the page's order. (A row per
 * record: one text value for the whole page was slower to receive through `pg`, 76 against 40 ms
 * for 5,000 enrollments.)
 */
export function renderedPage(page: SqlFragment, render: SqlFragment, order: SqlFragment, sort: string | undefined): SqlFragment {
  return {
    sql: `select r.sourced_id, ${sortKeyText(sort)} as sort_key, ${render.sql} as json from (${page.sql}) r order by ${order.sql}`,
    bindings: [...render.bindings, ...page.bindings, ...order.bindings],
  };
}

/** Rows after the previous page's last one, in the query's order. */
function afterBoundary(q: CollectionQuery, b: Boundary): SqlFragment {
  const key = sortKeyOf(q);
  const cmp = q.params.descending ? '<' : '>';
  return key
    ? { sql: `(${key.sql}, r.sourced_id) ${cmp} (${key.name === 'dateLastModified' ? '?::timestamptz' : '?'}, ?)`, bindings: [...key.bindings, b.key, b.sid] }
    : { sql: `r.sourced_id ${cmp} ?`, bindings: [b.sid] };
}

/** Rows `skip` to `skip + take` of the page, counting `offset` rows from the start. */
function offsetPage(q: CollectionQuery, where: SqlFragment, order: SqlFragment, take: number, skip: number): SqlFragment {
  return buildCollectionQuery({ ...q, params: { ...q.params, limit: take, offset: q.params.offset + skip } }, where, order).page;
}

/** The same rows found by seeking past the previous page's last row. */
function seek(q: CollectionQuery, where: SqlFragment, order: SqlFragment, b: Boundary, take: number, skip: number): SqlFragment {
  const after = afterBoundary(q, b);
  return {
    sql: `select r.* from ${ENTITIES[q.entity].table} r
          where ${where.sql} and ${after.sql} order by ${order.sql} limit ? offset ?`,
    bindings: [...where.bindings, ...after.bindings, ...order.bindings, String(take), String(skip)],
  };
}

/**
 * The row addresses (`ctid`) and sourcedIds of a selective query's page (a delta, a small school),
 * in the page's order: the matches' addresses, sourcedIds and sort values first, from a subquery
 * that OFFSET 0 keeps apart, so that Postgres finds them through whatever index suits the filter;
 * those narrow rows are sorted and limited. Given ORDER BY and LIMIT over the whole query, Postgres
 * would rather walk the primary key in order and test every row (152 ms against 32 for a page of a
 * 1% delta of 4.7M enrollments, on the store, when the matches were whole rows), since its estimate
 * assumes the matches are spread evenly. Whole rows also spilled to disk past the stock 4MB
 * `work_mem` (34 ms against 18 by address for that page, measured later in `psql`). A materialized
 * CTE keeps the matches apart too, but writes them to a tuplestore first: 23-31 ms against 16-18
 * for the first page of that delta (46,943 matches, in `psql`). The page's rows are then rendered
 * by a second statement (renderedAt) whose plan does not depend on the values. `take` null: every
 * match from the page's first row on. `atMost`: stop after that many matches (then, when there are
 * more, the rows found are not the page's).
 */
export function matchesFirst(q: CollectionQuery, where: SqlFragment, b: Boundary | undefined, take: number | null, atMost?: number): SqlFragment {
  const table = ENTITIES[q.entity].table;
  const key = sortKeyOf(q);
  const after = b ? afterBoundary(q, b) : undefined;
  const dir = q.params.descending ? 'desc' : 'asc';
  const keyed = key ? `m.sort_value ${dir}, m.sourced_id ${dir}` : `m.sourced_id ${dir}`;
  return {
    sql: `select m.row_id, m.sourced_id from (select r.ctid as row_id, r.sourced_id${key ? `, ${key.sql} as sort_value` : ''} from ${table} r
            where ${where.sql}${after ? ` and ${after.sql}` : ''}${atMost === undefined ? '' : ' limit ?'} offset 0) m
          order by ${keyed}${take === null ? '' : ' limit ?'} offset ?`,
    bindings: [
      ...(key?.bindings ?? []), ...where.bindings, ...(after?.bindings ?? []), ...(atMost === undefined ? [] : [String(atMost)]),
      ...(take === null ? [] : [String(take)]), String(b ? 0 : q.params.offset),
    ],
  };
}

/**
 * The records at the row addresses `rowIds` (from matchesFirst), rendered, in no set order
 * (inFoundOrder puts them in the page's order). Postgres reads them with one TID scan, in the
 * order of the addresses in the table; a lateral lookup of each address in the page's order took
 * a third longer for a page of 5,000 (users 74 against 57 ms, enrollments 69 against 51, medians
 * in Node at L). An address read in the transaction that found it is the row version that
 * transaction's snapshot sees (a split page's second half reads on a connection that shares the
 * snapshot): Postgres does not prune or reuse a row version some snapshot still sees. Only the
 * tenant's rows are read: an address kept for later pages (Pager.matchesOf) may hold another
 * tenant's row once the table has been rewritten.
 */
export function renderedAt(entity: EntityName, tenant: string, rowIds: string[], render: SqlFragment, sort: string | undefined): SqlFragment {
  return {
    sql: `select r.sourced_id, ${sortKeyText(sort)} as sort_key, ${render.sql} as json
          from ${ENTITIES[entity].table} r where r.ctid = any(cast(? as tid[])) and r.tenant_id = ?`,
    bindings: [...render.bindings, `{${rowIds.map((a) => `"${a}"`).join(',')}}`, tenant],
  };
}

/**
 * A selective page's rendered rows (renderedAt) in the order its first statement found them. The
 * rows are one tenant's records of one entity, so their sourcedIds are unique.
 */
export function inFoundOrder(rows: PageRow[], found: Found[]): PageRow[] {
  const bySourcedId = new Map(rows.map((r) => [r.sourced_id, r]));
  const ordered: PageRow[] = [];
  for (const f of found) {
    const row = bySourcedId.get(f.sourced_id);
    if (row) ordered.push(row);
  }
  return ordered;
}
