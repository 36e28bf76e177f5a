import type { Knex } from 'knex';
import { ENTITIES, type EntityDef } from '../model/entities.js';
import { canCopy, copyField, copyJson, copyTextArray } from './copy-rows.js';

/**
 * A row on its way into the store. `data` is the canonical record as JSON text; `refs[i]` are the
 * sourcedIds named by the entity's i-th reference.
 */
export type StagedRow = { line: number; sid: string; status: 'active' | 'tobedeleted'; ok: boolean; hash?: string; data?: string; refs?: string[][] };

/**
 * How batches reach the stage: `copy`, rows in COPY's text format for one COPY … FROM STDIN per
 * file (Postgres); `json`, one JSON array per batch for an INSERT (PGlite has no COPY FROM STDIN).
 */
export type StageFormat = 'copy' | 'json';

export function stageFormatOf(knex: Knex): StageFormat {
  return canCopy(knex) ? 'copy' : 'json';
}

/**
 * For each reference, the distinct ids it names among a file's good active rows, or null where
 * they were not gathered (see StageEncoder).
 */
export type GatheredIds = ReadonlyArray<ReadonlySet<string> | null>;

/** The most distinct ids gathered for one reference of a file: about 20 MB of the importer's heap. */
const MAX_GATHERED = 200_000;

/**
 * Encodes batches of one file's rows for EntityStage.load(), in the stage's column order, and
 * gathers, as the rows pass, the distinct ids each reference to another kind names among the good
 * active rows: the reference check then looks each id up without reading the stage for them. No
 * ids are gathered for a reference to the entity's own kind (a user's agents), which is checked
 * against the stage anyway, nor for one naming more than `maxGathered` ids, which is read from
 * the stage instead, so the importer's memory does not grow with the district.
 */
export class StageEncoder {
  private readonly def: EntityDef;
  private readonly named: Array<Set<string> | null>;

  constructor(
    entity: keyof typeof ENTITIES,
    readonly format: StageFormat,
    /** How many distinct ids to gather for one reference at most (tests lower it). */
    private readonly maxGathered = MAX_GATHERED,
  ) {
    this.def = ENTITIES[entity];
    this.named = this.def.references.map((r) => (r.target === this.def.name ? null : new Set<string>()));
  }

  /** The sourcedIds each reference of a record names, in the order of the entity's references. */
  referencesOf(data: Record<string, unknown>): string[][] {
    return this.def.references.map((r) => r.ids(data));
  }

  /** The ids gathered so far; complete once every batch of the file is encoded. */
  get gathered(): GatheredIds {
    return this.named;
  }

  encode(rows: StagedRow[]): string {
    this.gather(rows);
    if (this.format === 'copy') return rows.map((r) => this.copyLine(r)).join('');
    return `[${rows.map((r) => this.jsonRow(r)).join(',')}]`;
  }

  private gather(rows: StagedRow[]): void {
    const named = this.named;
    for (const r of rows) {
      if (!r.ok || r.data === undefined || r.status !== 'active' || !r.refs) continue;
      for (let i = 0; i < named.length; i++) {
        const set = named[i];
        if (set) for (const id of r.refs[i] ?? []) if (!set.has(id)) set.add(detached(id));
      }
    }
    for (let i = 0; i < named.length; i++) if (named[i] && named[i]!.size > this.maxGathered) named[i] = null;
  }

  /** One row in COPY's text format. */
  private copyLine(r: StagedRow): string {
    const full = r.ok && r.data !== undefined;
    let refs = '';
    for (let i = 0; i < this.def.references.length; i++) refs += `\t${full ? copyTextArray(r.refs?.[i] ?? []) : '\\N'}`;
    return `${r.line}\t${copyField(r.sid)}\t${r.status}\t${r.ok ? 't' : 'f'}\t${full ? r.hash : '\\N'}\t${full ? copyJson(r.data!) : '\\N'}${refs}\n`;
  }

  /** One row as a JSON object, for json_to_recordset. */
  private jsonRow(r: StagedRow): string {
    const head = `{"line":${r.line},"sid":${JSON.stringify(r.sid)},"status":"${r.status}","ok":${r.ok}`;
    if (!r.ok || r.data === undefined) return `${head}}`;
    const refs = (r.refs ?? []).map((ids, i) => `,"r${i}":${JSON.stringify(ids)}`).join('');
    return `${head},"hash":"${r.hash}","data":${r.data}${refs}}`;
  }
}

/**
 * A copy of an id cut from a parsed chunk of CSV. V8 keeps a substring as a view of the string it
 * was cut from, so a set of the ids themselves would hold every chunk of the file in memory.
 */
function detached(id: string): string {
  return Buffer.from(id, 'utf8').toString('utf8');
}
