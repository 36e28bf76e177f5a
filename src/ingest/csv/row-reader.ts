import type { Problem } from './problems.js';

export type Ref = { sourcedId: string; type: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_ID = 256;
/** A cell of one `{type:identifier}` item. */
const SINGLE_USER_ID = /^\{([^:{}]+):([^{}]*)\}$/;

const spellingsOf = new WeakMap<readonly string[], Map<string, string>>();
/** A vocabulary's values by their lower-case spelling (the first value of each), made once per vocabulary. */
function spellings<T extends string>(allowed: readonly T[]): Map<string, T> {
  let map = spellingsOf.get(allowed);
  if (!map) {
    map = new Map();
    for (const a of allowed) if (!map.has(a.toLowerCase())) map.set(a.toLowerCase(), a);
    spellingsOf.set(allowed, map);
  }
  return map as Map<string, T>;
}

function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/**
 * Reads typed values out of one CSV row by column name, recording a Problem (file, line, column,
 * field, value) for every cell that does not fit. The CSV file is Rollcall's input boundary, so
 * these readers are its types: each says what a cell must look like and names the cell when it
 * does not. (Row-level zod schemas would lose the column and cost several µs per row on millions of rows.)
 */
export class RowReader {
  line = 0;
  private row: string[] = [];
  readonly problems: Problem[] = [];

  constructor(
    readonly file: string,
    /** Each header column's 0-based position. */
    readonly index: ReadonlyMap<string, number>,
  ) {}

  reset(row: string[], line: number): void {
    this.row = row;
    this.line = line;
    this.problems.length = 0;
  }

  /** 1-based column of a field in this file's header. */
  columnOf(field: string): number | undefined {
    const i = this.index.get(field);
    return i === undefined ? undefined : i + 1;
  }

  problem(field: string, value: string | undefined, message: string): void {
    this.problems.push({ file: this.file, line: this.line, column: this.columnOf(field), field, value, message });
  }

  /** The trimmed cell, or undefined when the column is absent or the cell blank. */
  raw(field: string): string | undefined {
    const i = this.index.get(field);
    if (i === undefined) return undefined;
    const v = this.row[i]?.trim();
    return v ? v : undefined;
  }

  str(field: string, required = false): string | undefined {
    const v = this.raw(field);
    if (v === undefined && required) this.problem(field, '', 'is required');
    return v;
  }

  id(field: string, required = false): string | undefined {
    const v = this.str(field, required);
    if (v !== undefined && (v.length > MAX_ID || /[\u0000-\u001f]/.test(v))) {
      this.problem(field, v, `is not a valid sourcedId (at most ${MAX_ID} characters, no control characters)`);
      return undefined;
    }
    return v;
  }

  /** A value from `allowed`, matched case-insensitively and returned in the vocabulary's spelling. */
  oneOf<T extends string>(field: string, allowed: readonly T[], required = false, allowExt = false): T | undefined {
    const v = this.str(field, required);
    if (v === undefined) return undefined;
    const known = spellings(allowed);
    const hit = known.get(v) ?? known.get(v.toLowerCase()); // a lower-case cell (most are) is found without lower-casing it
    if (hit) return hit;
    if (allowExt && /^ext:[a-zA-Z0-9.\-_]+$/.test(v)) return v as T;
    this.problem(field, v, `must be one of ${allowed.join(', ')}`);
    return undefined;
  }

  date(field: string, required = false): string | undefined {
    const v = this.str(field, required);
    if (v !== undefined && !isCalendarDate(v)) {
      this.problem(field, v, 'must be a date YYYY-MM-DD');
      return undefined;
    }
    return v;
  }

  /** Checked for form only: the store assigns its own dateLastModified. */
  datetime(field: string): void {
    const v = this.str(field);
    if (v !== undefined && (!DATETIME.test(v) || Number.isNaN(Date.parse(v)))) this.problem(field, v, 'must be an ISO 8601 date-time');
  }

  year(field: string, required = false): string | undefined {
    const v = this.str(field, required);
    if (v !== undefined && !/^\d{4}$/.test(v)) {
      this.problem(field, v, 'must be a four-digit year (YYYY)');
      return undefined;
    }
    return v;
  }

  bool(field: string, required = false): boolean | undefined {
    const v = this.str(field, required);
    if (v === undefined) return undefined;
    const lower = v.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    this.problem(field, v, 'must be true or false');
    return undefined;
  }

  /** A comma-separated list inside one cell; blank items are dropped. */
  list(field: string, required = false): string[] | undefined {
    const v = this.str(field, required);
    if (v === undefined) return undefined;
    const items = v.includes(',') ? v.split(',').map((s) => s.trim()).filter(Boolean) : [v]; // v is trimmed and not blank
    if (items.length === 0 && required) this.problem(field, v, 'is required');
    return items.length ? items : undefined;
  }

  ref(field: string, type: string, required = false): Ref | undefined {
    const id = this.id(field, required);
    return id === undefined ? undefined : { sourcedId: id, type };
  }

  refs(field: string, type: string, required = false): Ref[] | undefined {
    const ids = this.list(field, required);
    return ids?.map((sourcedId) => ({ sourcedId, type }));
  }

  /** `{type:identifier}` items, e.g. `{SIS:123},{LDAP:jsmith}`. */
  userIds(field: string): Array<{ type: string; identifier: string }> | undefined {
    const v = this.str(field);
    if (v === undefined) return undefined;
    const single = SINGLE_USER_ID.exec(v); // the usual cell, read as the loop below would read it
    if (single && single[2]!.trim()) return [{ type: single[1]!.trim(), identifier: single[2]!.trim() }];
    const out: Array<{ type: string; identifier: string }> = [];
    for (const m of v.matchAll(/\{([^:{}]+):([^{}]*)\}|([^,{}\s][^,{}]*)/g)) {
      if (m[3] !== undefined || !m[2]?.trim()) {
        this.problem(field, v, 'must be a list of {type:identifier} items');
        return undefined;
      }
      out.push({ type: m[1].trim(), identifier: m[2].trim() });
    }
    return out.length ? out : undefined;
  }

  /** Extension columns `metadata.<key>`, with keys sorted so the content hash does not depend on column order. */
  metadata(metadataColumns: readonly string[]): Record<string, string> | undefined {
    let out: Record<string, string> | undefined;
    for (const col of metadataColumns) {
      const v = this.raw(col);
      if (v !== undefined) (out ??= {})[col.slice('metadata.'.length)] = v;
    }
    return out;
  }
}
