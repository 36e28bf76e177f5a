import type { Knex } from 'knex';
import { ENTITIES, type EntityDef } from '../model/entities.js';
import { canCopy, CopyIn } from './copy-rows.js';
import { isLargeChange } from './counted-rows.js';
import { withIndexesBuiltAfter } from './indexes-after-load.js';
import type { GatheredIds } from './stage-encoder.js';

export type ApplyCounts = { created: number; updated: number; unchanged: number; tombstoned: number };

const STAGE = 'import_stage';
const UNIQUE_VIOLATION = '23505';

/** The (stage row `s`, ref, id) triples the staged active rows name through the references numbered `refs`. */
const namedIn = (refs: number[]) => `${STAGE} s cross join lateral (${refs.map((i) => `select ${i} as ref, unnest(s.r${i}) as id`).join(' union all ')}) x
      where s.data is not null and s.status = 'active'`;

/**
 * Applies one file's rows to one entity table inside the import's transaction: rows are staged in
 * a temporary table, checked as a set (duplicates, references), then merged so that a record is
 * written only when its content hash, status or source differs. Every write carries the import's
 * clock. On Postgres rows reach the stage by one COPY per file, kept open while its batches arrive,
 * and the stage holds `data` as jsonb already: the parse into jsonb happens then, not in the merge
 * that follows the file.
 */
export class EntityStage {
  private readonly def: EntityDef;
  private readonly cols: string[];
  /** Staged rows that were not applied (invalid, duplicate, or with a broken reference); known after apply(). */
  rejected = 0;
  /** Good active rows of the stage, all of them this source's active records after apply(). */
  private appliedActive = 0;
  /** No two staged rows share a sourcedId (the stage's index was built unique); known after seal(). */
  private distinctIds = false;
  /** apply() wrote a first load: the tenant had no records of this kind, so this source's active records are exactly the rows it inserted. */
  private firstLoad = false;
  constructor(
    private readonly trx: Knex.Transaction,
    entity: keyof typeof ENTITIES,
    private readonly tenantId: string,
    private readonly source: string,
    private readonly ts: Date,
  ) {
    this.def = ENTITIES[entity];
    this.cols = Object.keys(this.def.columns);
  }

  private get refColumns(): string {
    return this.def.references.map((_, i) => `, r${i} text[]`).join('');
  }

  /** A fresh, unindexed stage: rows load fastest without an index. */
  async reset(): Promise<void> {
    this.distinctIds = false;
    await this.trx.raw(`drop table if exists ${STAGE}`);
    await this.trx.raw(`create temp table ${STAGE} (
      line int not null, sid text collate "C" not null, status text not null, ok boolean not null, hash text, data jsonb${this.refColumns}
    ) on commit drop`);
  }

  /**
   * Fills the stage with a file's batches as they come (text or its UTF-8 bytes), each encoded by a
   * StageEncoder in this database's format (stageFormatOf): on Postgres one COPY for them all,
   * each batch handed on as the one before it has gone out; on PGlite one INSERT per batch. When
   * the batches fail (the file cannot be parsed), the COPY is abandoned, freeing the connection,
   * and the error thrown.
   */
  async load(batches: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): Promise<void> {
    if (!canCopy(this.trx)) {
      for await (const batch of batches) {
        await this.trx.raw(
          `insert into ${STAGE} select * from json_to_recordset(?::json)
             as r(line int, sid text, status text, ok boolean, hash text, data jsonb${this.refColumns})`,
          [batch.toString()],
        );
      }
      return;
    }
    const copy = await CopyIn.open(this.trx, STAGE);
    try {
      for await (const batch of batches) await copy.write(batch);
    } catch (e) {
      await copy.abort(e as Error);
      throw e;
    }
    await copy.end();
  }

  /**
   * Once loaded: index by sourcedId (one bulk build). The index keeps every later plan
   * (duplicates, references, merge, sweep) at index lookups whatever the estimates. Nearly every
   * file repeats no sourcedId, so the index is first built unique, in a savepoint: when that
   * succeeds there are no duplicates to look for, and the planner knows each sid is distinct
   * without an ANALYZE. When a sourcedId repeats, the build fails (Postgres logs the duplicate
   * key), and a plain index and the statistics take its place.
   */
  async seal(): Promise<void> {
    try {
      await this.trx.transaction((sp) => sp.raw(`create unique index on ${STAGE} (sid)`));
      this.distinctIds = true;
    } catch (e) {
      if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
      await this.trx.raw(`create index on ${STAGE} (sid)`);
      await this.trx.raw(`analyze ${STAGE} (sid)`);
    }
  }

  /** Later rows repeating a sourcedId: flagged not ok, returned with the line of the first. */
  async duplicates(): Promise<Array<{ line: number; sid: string; first: number }>> {
    if (this.distinctIds) return [];
    const res = await this.trx.raw(`
      select line, sid, first from (
        select line, sid, min(line) over (partition by sid) as first, count(*) over (partition by sid) as n from ${STAGE}
      ) d where n > 1 and line <> first order by line`);
    await this.reject(res.rows.map((r: { line: number }) => r.line));
    return res.rows;
  }

  /**
   * References to records neither in the store nor among this file's good rows: all of them
   * listed, their rows flagged not ok. References to other kinds are checked in one pass; one to
   * the entity's own kind after them, so that it sees the rows they rejected. `gathered`: the
   * distinct ids of each reference, where the rows' encoder gathered them (StageEncoder).
   */
  async brokenReferences(gathered?: GatheredIds): Promise<Array<{ line: number; field: string; id: string }>> {
    const refs = this.def.references.map((ref, i) => ({ ref, i }));
    const toSelf = refs.filter(({ ref }) => ref.target === this.def.name);
    const groups = [refs.filter(({ ref }) => ref.target !== this.def.name), ...toSelf.map((r) => [r])].filter((g) => g.length);
    const broken: Array<{ line: number; field: string; id: string }> = [];
    const seen = new Set<string>();
    for (const group of groups) {
      const rows = await this.missingReferences(group.map(({ i }) => i), gathered);
      for (const row of rows) {
        // One report per row and id: in 1.1 the primary org is derived from orgSourcedIds.
        const key = `${row.line}\u0000${row.id}`;
        if (!seen.has(key)) broken.push({ line: row.line, field: this.def.references[row.ref]!.field, id: row.id });
        seen.add(key);
      }
      await this.reject(rows.map((r) => r.line));
    }
    return broken.sort((a, b) => a.line - b.line);
  }

  /**
   * The rows naming a missing record through the references numbered `refs`, by line then
   * reference. Each distinct id is looked up once (a file names the same schools and classes over
   * and over). The rows are read again only when some id is missing.
   */
  private async missingReferences(refs: number[], gathered: GatheredIds | undefined): Promise<Array<{ line: number; ref: number; id: string }>> {
    const ownKind = refs.length === 1 && this.def.references[refs[0]!]!.target === this.def.name;
    const missing = ownKind ? await this.missingOfOwnKind(refs[0]!) : await this.missingOfOtherKinds(refs, gathered);
    if (!missing.length) return [];
    const res = await this.trx.raw(
      `select s.line, x.ref, x.id from ${namedIn(refs)}
         and (x.ref, x.id) in (select m.ref, m.id from jsonb_to_recordset(?::jsonb) as m(ref int, id text))
       order by s.line, x.ref`,
      [JSON.stringify(missing)],
    );
    return res.rows;
  }

  /**
   * Ids named through references to other kinds and absent from the store: from `gathered` where
   * the rows' encoder gathered them; otherwise read from the stage. Where the encoder gave up (more
   * than its limit of distinct ids: the users of a large district's enrollments), the ids named
   * less the target's ids, as one set difference that reads the target table once in order (at
   * L, 591,444 user ids: 5.05 s in psql, against 8.3-9.0 s looked up one by one, as each lookup
   * visits the heap for users written in the same transaction); the few ids left are looked up as
   * the others. Where nothing was gathered (a stage filled from a sync run, usually a few rows),
   * each distinct id is looked up.
   */
  private async missingOfOtherKinds(refs: number[], gathered: GatheredIds | undefined): Promise<Array<{ ref: number; id: string }>> {
    const targetOf = (i: number) => ENTITIES[this.def.references[i]!.target].table;
    const known = refs.filter((i) => gathered?.[i]);
    const givenUp = refs.filter((i) => gathered?.[i] === null);
    const unread = refs.filter((i) => gathered?.[i] === undefined);
    const distinct = [
      ...known.map((i) => ({ sql: `select ${i} as ref, json_array_elements_text(?::json) as id`, bindings: [JSON.stringify([...gathered![i]!])] })),
      ...givenUp.map((i) => ({
        sql: `select ${i} as ref, d.id from (select x.id collate "C" from ${namedIn([i])}
                except select t.sourced_id from ${targetOf(i)} t where t.tenant_id = ?) d(id)`,
        bindings: [this.tenantId],
      })),
      ...(unread.length ? [{ sql: `select distinct x.ref, x.id from ${namedIn(unread)}`, bindings: [] }] : []),
    ];
    const absent = refs.map((i) => `when ${i} then not exists (select 1 from ${targetOf(i)} t where t.tenant_id = ? and t.sourced_id = n.id)`);
    const res = await this.trx.raw(
      `select n.ref, n.id from (${distinct.map((d) => d.sql).join(' union all ')}) n where case n.ref ${absent.join(' ')} end`,
      [...distinct.flatMap((d) => d.bindings), ...refs.map(() => this.tenantId)],
    );
    return res.rows;
  }

  /**
   * Ids named through reference `i` to the entity's own kind (a user's agents) that are neither
   * among the file's good rows nor in the store. The ids the rows name, less the good rows' ids, is
   * one set difference over the stage read in order (a probe of the stage per id read its pages at
   * random: 0.6-0.75 s against 0.19-0.25 s for M's users); only what remains is looked up in the
   * store, which after a first load is nothing.
   */
  private async missingOfOwnKind(i: number): Promise<Array<{ ref: number; id: string }>> {
    const res = await this.trx.raw(
      `select ${i} as ref, n.id from (select x.id collate "C" from ${namedIn([i])} except select s2.sid from ${STAGE} s2 where s2.ok) n(id)
       where not exists (select 1 from ${this.def.table} t where t.tenant_id = ? and t.sourced_id = n.id)`,
      [this.tenantId],
    );
    return res.rows;
  }

  private async reject(lines: number[]): Promise<void> {
    if (!lines.length) return;
    await this.trx.raw(`update ${STAGE} set ok = false where line in (select jsonb_array_elements_text(?::jsonb)::int)`, [JSON.stringify(lines)]);
  }

  /**
   * Writes new and changed active rows and tombstones rows marked tobedeleted. When the tenant has
   * no records of this kind yet (a district's first load), every good row is new: a plain INSERT,
   * about a quarter cheaper than the upsert, which probes each row for a conflict and confirms
   * each insertion in the WAL. The import holds the tenant's write lock, so no other writer can add
   * the tenant's records in between.
   */
  async apply(): Promise<ApplyCounts> {
    const { table } = this.def;
    const tally = (
      await this.trx.raw(
        `select count(*) filter (where ok)::int as ok, count(*) filter (where ok and status = 'active')::int as active, count(*) filter (where not ok)::int as rejected from ${STAGE}`,
      )
    ).rows[0] as { ok: number; active: number; rejected: number };
    this.appliedActive = tally.active;
    this.rejected = tally.rejected;
    this.firstLoad = !(await this.tenantHasAny());
    const { created, updated } = this.firstLoad ? await this.insertAll() : await this.upsert();
    let tombstoned = 0;
    if (tally.ok > tally.active) { // good rows marked tobedeleted
      const del = await this.trx.raw(
        `update ${table} t set status = 'tobedeleted', date_last_modified = ?, source = ?
         from ${STAGE} s where s.ok and s.status = 'tobedeleted' and t.tenant_id = ? and t.sourced_id = s.sid and t.status = 'active'`,
        [this.ts, this.source, this.tenantId],
      );
      tombstoned = del.rowCount ?? 0;
    }
    if (await this.statisticsMoved(created + updated + tombstoned)) await this.trx.raw(`analyze ${table}`); // for the next file's checks
    return { created, updated, tombstoned, unchanged: tally.ok - created - updated - tombstoned };
  }

  /**
   * Whether `changed` rows can have moved the table's statistics: more than 1,000 and more than a
   * tenth of the rows it held when last analyzed (autovacuum's own rule for analyzing). A
   * district's first load has; a delta of a few percent has not, and an ANALYZE samples 30,000
   * rows of the table whatever the change (0.9 s for users at L, for a delta of 8,605 users).
   */
  private async statisticsMoved(changed: number): Promise<boolean> {
    return changed > 1000 && (await isLargeChange(this.trx, this.def.table, changed));
  }

  /** Whether the store holds any record of this kind for the tenant, tombstones included. */
  private async tenantHasAny(): Promise<boolean> {
    const res = await this.trx.raw(`select exists (select 1 from ${this.def.table} where tenant_id = ?) as any`, [this.tenantId]);
    return res.rows[0].any;
  }

  /** The column list and the SQL that fills it from a stage row `s`, in the same order. */
  private get insertColumns(): { names: string; values: string } {
    return {
      names: `tenant_id, sourced_id, status, date_last_modified, content_hash, source, data${this.cols.map((c) => `, ${c}`).join('')}`,
      values: `?, s.sid, 'active', ?, s.hash, ?, s.data${this.cols.map((c) => `, ${this.def.columns[c]}`).join('')}`,
    };
  }

  /** Every good active row as a new record; many into a table empty for every tenant, with its indexes built after (withIndexesBuiltAfter). */
  private async insertAll(): Promise<{ created: number; updated: number }> {
    const { names, values } = this.insertColumns;
    const res = await withIndexesBuiltAfter(this.trx, this.def.table, this.appliedActive, () =>
      this.trx.raw(`insert into ${this.def.table} (${names}) select ${values} from ${STAGE} s where s.ok and s.status = 'active'`, [
        this.tenantId,
        this.ts,
        this.source,
      ]),
    );
    return { created: res.rowCount ?? 0, updated: 0 };
  }

  /**
   * Good active rows that are new, or differ from the stored record in content, status or source.
   * A record whose only change is its source keeps its dateLastModified.
   */
  private async upsert(): Promise<{ created: number; updated: number }> {
    const { table } = this.def;
    const { names, values } = this.insertColumns;
    const colUpdates = this.cols.map((c) => `, ${c} = excluded.${c}`).join('');
    const changed = 't.content_hash <> excluded.content_hash or t.status <> excluded.status';
    const res = await this.trx.raw(
      `with upserted as (
        insert into ${table} as t (${names})
        select ${values}
        from ${STAGE} s
        where s.ok and s.status = 'active'
          and not exists (select 1 from ${table} u where u.tenant_id = ? and u.sourced_id = s.sid
                            and u.content_hash = s.hash and u.status = 'active' and u.source = ?)
        on conflict (tenant_id, sourced_id) do update set
          status = excluded.status, content_hash = excluded.content_hash, source = excluded.source, data = excluded.data${colUpdates},
          date_last_modified = case when ${changed} then excluded.date_last_modified else t.date_last_modified end
        returning (xmax = 0) as created, date_last_modified = ? as changed
      )
      select count(*) filter (where created)::int as created, count(*) filter (where changed and not created)::int as updated from upserted`,
      [this.tenantId, this.ts, this.source, this.tenantId, this.source, this.ts],
    );
    return res.rows[0];
  }

  /**
   * Fills the stage from a sync run's staged pull (sync_stage) instead of from CSV rows; the line
   * number is the row's position in the pull.
   */
  async addFromSyncStage(runId: number, entity: string): Promise<void> {
    const refs = this.def.references.map((_, i) => `, array(select json_array_elements_text(refs->${i}))`).join('');
    await this.trx.raw(
      `insert into ${STAGE} select (row_number() over ())::int, sid, status, true, hash, data_json::jsonb${refs} from sync_stage where run_id = ? and entity = ?`,
      [runId, entity],
    );
  }

  /**
   * Rows whose record in the store belongs to a connection of higher priority (a lower number)
   * are not applied; returned so the run can report the conflicts.
   */
  async yieldToHigherPriority(priority: number): Promise<Array<{ sid: string; owner: string }>> {
    const res = await this.trx.raw(
      `update ${STAGE} s set ok = false from ${this.def.table} t join connections c on c.id = t.source
       where t.tenant_id = ? and t.sourced_id = s.sid and s.ok and t.source <> ? and c.priority < ?
       returning s.sid, t.source as owner`,
      [this.tenantId, this.source, priority],
    );
    return res.rows;
  }

  /** How many of this source's active records a sweep would tombstone, and how many it has. */
  async sweepPreview(): Promise<{ wouldTombstone: number; of: number }> {
    const of = await this.sourceActive();
    if (of === this.appliedActive) return { wouldTombstone: 0, of };
    const res = await this.trx.raw(
      `select count(*)::int as would from ${this.def.table} t where t.tenant_id = ? and t.source = ? and t.status = 'active'
         and not exists (select 1 from ${STAGE} s where s.sid = t.sourced_id)`,
      [this.tenantId, this.source],
    );
    return { wouldTombstone: res.rows[0].would, of };
  }

  /** Bulk files only: this source's active records that the file did not mention become tombstones. */
  async sweep(): Promise<number> {
    if ((await this.sourceActive()) === this.appliedActive) return 0;
    const res = await this.trx.raw(
      `update ${this.def.table} t set status = 'tobedeleted', date_last_modified = ?
       where t.tenant_id = ? and t.source = ? and t.status = 'active'
         and not exists (select 1 from ${STAGE} s where s.sid = t.sourced_id)`,
      [this.ts, this.tenantId, this.source],
    );
    return res.rowCount ?? 0;
  }

  /**
   * This source's active records. After apply() they include every good active row of the stage,
   * so when the counts are equal they are exactly those rows and a sweep has nothing to do: one
   * count instead of an anti-join of the table with the stage (0.6 s for M's enrollments). After a
   * first load they are those rows without counting (the count took 0.15 s at M).
   */
  private async sourceActive(): Promise<number> {
    if (this.firstLoad) return this.appliedActive;
    const res = await this.trx.raw(`select count(*)::int as n from ${this.def.table} where tenant_id = ? and source = ? and status = 'active'`, [this.tenantId, this.source]);
    return res.rows[0].n;
  }
}
