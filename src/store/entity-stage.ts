import type { Knex } from 'knex';
import { ENTITIES, type EntityDef } from '../model/entities.js';

/** A row on its way into the store. `data` is the canonical record as JSON text. */
export type StagedRow = { line: number; sid: string; status: 'active' | 'tobedeleted'; ok: boolean; hash?: string; data?: string };

export type ApplyCounts = { created: number; updated: number; unchanged: number; tombstoned: number };

const STAGE = 'import_stage';

function stageJson(rows: StagedRow[]): string {
  const parts = rows.map(
    (r) =>
      `{"line":${r.line},"sid":${JSON.stringify(r.sid)},"status":"${r.status}","ok":${r.ok}` +
      (r.ok ? `,"hash":"${r.hash}","data":${r.data}}` : '}'),
  );
  return `[${parts.join(',')}]`;
}

/**
 * Applies one file's rows to one entity table inside the import's transaction: rows are staged in
 * a temporary table, checked as a set (duplicates, references), then merged so that a record
 * changes only when its content hash or status differs. Every write carries the import's clock.
 */
export class EntityStage {
  private readonly def: EntityDef;
  private readonly cols: string[];

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

  /** A fresh, unindexed stage: rows load fastest without an index. */
  async reset(): Promise<void> {
    await this.trx.raw(`drop table if exists ${STAGE}`);
    await this.trx.raw(`create temp table ${STAGE} (
      line int not null, sid text collate "C" not null, status text not null, ok boolean not null, hash text, data jsonb
    ) on commit drop`);
  }

  /**
   * Once loaded: index by sourcedId (one bulk build) and gather statistics. Right after a big load
   * the target tables' statistics are stale, and the index keeps every later plan (duplicates,
   * references, merge, sweep) at index lookups instead of a nested loop over the whole stage.
   */
  async seal(): Promise<void> {
    await this.trx.raw(`create index on ${STAGE} (sid)`);
    await this.trx.raw(`analyze ${STAGE} (sid)`);
  }

  private tombstoneRows = 0;

  async add(rows: StagedRow[]): Promise<void> {
    if (!rows.length) return;
    for (const r of rows) if (r.ok && r.status === 'tobedeleted') this.tombstoneRows++;
    await this.trx.raw(
      `insert into ${STAGE} select * from jsonb_to_recordset(?::jsonb) as r(line int, sid text, status text, ok boolean, hash text, data jsonb)`,
      [stageJson(rows)],
    );
  }

  /** Later rows repeating a sourcedId: flagged not ok, returned with the line of the first. */
  async duplicates(): Promise<Array<{ line: number; sid: string; first: number }>> {
    const res = await this.trx.raw(`
      select line, sid, first from (
        select line, sid, min(line) over (partition by sid) as first, count(*) over (partition by sid) as n from ${STAGE}
      ) d where n > 1 and line <> first order by line`);
    await this.reject(res.rows.map((r: { line: number }) => r.line));
    return res.rows;
  }

  /** References to records neither in the store nor among this file's good rows: all of them listed, their rows flagged not ok. */
  async brokenReferences(): Promise<Array<{ line: number; field: string; id: string }>> {
    const broken: Array<{ line: number; field: string; id: string }> = [];
    const seen = new Set<string>();
    for (const ref of this.def.references) {
      const target = ENTITIES[ref.target].table;
      const self = ref.target === this.def.name ? `and not exists (select 1 from ${STAGE} s2 where s2.sid = r.id and s2.ok)` : '';
      const res = await this.trx.raw(
        `select r.line, r.id from (select s.line, ${ref.sql} as id from ${STAGE} s where s.data is not null and s.status = 'active') r
         where r.id is not null
           and not exists (select 1 from ${target} t where t.tenant_id = ? and t.sourced_id = r.id) ${self}
         order by r.line`,
        [this.tenantId],
      );
      for (const row of res.rows) {
        // One report per row and id: in 1.1 the primary org is derived from orgSourcedIds.
        const key = `${row.line}\u0000${row.id}`;
        if (!seen.has(key)) broken.push({ line: row.line, field: ref.field, id: row.id });
        seen.add(key);
      }
      await this.reject(res.rows.map((r: { line: number }) => r.line));
    }
    return broken.sort((a, b) => a.line - b.line);
  }

  private async reject(lines: number[]): Promise<void> {
    if (!lines.length) return;
    await this.trx.raw(
      `update ${STAGE} set ok = false where line in (select jsonb_array_elements_text(?::jsonb)::int)`,
      [JSON.stringify(lines)],
    );
  }

  /** Upserts active rows and tombstones rows marked tobedeleted. */
  async apply(): Promise<ApplyCounts> {
    const { table } = this.def;
    const colList = this.cols.map((c) => `, ${c}`).join('');
    const colExprs = this.cols.map((c) => `, ${this.def.columns[c]}`).join('');
    const colUpdates = this.cols.map((c) => `, ${c} = excluded.${c}`).join('');
    const changed = 't.content_hash <> excluded.content_hash or t.status <> excluded.status';
    const upsert = await this.trx.raw(
      `with upserted as (
        insert into ${table} as t (tenant_id, sourced_id, status, date_last_modified, content_hash, source, data${colList})
        select ?, sid, 'active', ?, hash, ?, data${colExprs} from ${STAGE} where ok and status = 'active'
        on conflict (tenant_id, sourced_id) do update set
          status = excluded.status, content_hash = excluded.content_hash, source = excluded.source, data = excluded.data${colUpdates},
          date_last_modified = case when ${changed} then excluded.date_last_modified else t.date_last_modified end
        where ${changed} or t.source <> excluded.source
        returning (xmax = 0) as created, date_last_modified = ? as changed
      )
      select count(*) filter (where created) as created, count(*) filter (where changed and not created) as updated,
             (select count(*) from ${STAGE} where ok) as total from upserted`,
      [this.tenantId, this.ts, this.source, this.ts],
    );
    const { created, updated, total } = upsert.rows[0];
    if (!this.tombstoneRows) return { created, updated, tombstoned: 0, unchanged: total - created - updated };
    const del = await this.trx.raw(
      `update ${table} t set status = 'tobedeleted', date_last_modified = ?, source = ?
       from ${STAGE} s where s.ok and s.status = 'tobedeleted' and t.tenant_id = ? and t.sourced_id = s.sid and t.status = 'active'`,
      [this.ts, this.source, this.tenantId],
    );
    const tombstoned = del.rowCount ?? 0;
    return { created, updated, tombstoned, unchanged: total - created - updated - tombstoned };
  }

  /** Bulk files only: this source's active records that the file did not mention become tombstones. */
  async sweep(): Promise<number> {
    const res = await this.trx.raw(
      `update ${this.def.table} t set status = 'tobedeleted', date_last_modified = ?
       where t.tenant_id = ? and t.source = ? and t.status = 'active'
         and not exists (select 1 from ${STAGE} s where s.sid = t.sourced_id)`,
      [this.ts, this.tenantId, this.source],
    );
    return res.rowCount ?? 0;
  }
}
