import type { EntityName } from '../model/entities.js';
import type { OneRosterVersion } from '../model/vocab.js';
import { RollcallError } from '../errors.js';
import { FilterSyntaxError, type FilterExpr } from './ast.js';
import { invalidFilter } from './compile-filter.js';
import { parseFilter } from './parse-filter.js';
import { fieldSet, lookupField } from './registry/index.js';

/** A warning that rides along a 200 in 1.1 (`statusInfoSet`); 1.2 has none. */
export type QueryWarning = { codeMinor: 'invalid_sort_field' | 'invalid_selection_field'; description: string };

export type CollectionParams = {
  filter?: FilterExpr;
  /** A sortable field name from the registry; undefined = by sourcedId. */
  sort?: string;
  descending: boolean;
  /** Top-level properties to return; undefined = all. */
  fields?: string[];
  limit: number;
  offset: number;
  warnings: QueryWarning[];
};

export type RawQuery = Record<string, string | string[] | undefined>;

const DEFAULT_LIMIT = 100;
const NOTHING_HIDDEN: ReadonlySet<string> = new Set();

/** A field is hidden when it, or the property it belongs to (`agents` for `agents.sourcedId`), is. */
const isHidden = (field: string, hidden: ReadonlySet<string>) => hidden.has(field) || hidden.has(field.split('.')[0]!);

function fieldsOf(e: FilterExpr): string[] {
  return e.kind === 'comparison' ? [e.field] : e.terms.flatMap(fieldsOf);
}

const invalid = (codeMinor: string, message: string, details: Record<string, unknown> = {}) =>
  new RollcallError('invalid_input', message, { codeMinor, ...details });

function single(q: RawQuery, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function integer(q: RawQuery, name: string, min: number, fallback: number): number {
  const raw = single(q, name);
  if (raw === undefined) return fallback;
  if (!/^\s*\d{1,9}\s*$/.test(raw) || Number(raw) < min) {
    throw invalid('invaliddata', `${name} must be a whole number of at least ${min}; got "${raw.slice(0, 40)}"`, { parameter: name });
  }
  return Number(raw);
}

/**
 * Reads `filter`, `sort`, `orderBy`, `fields`, `limit` and `offset` for a collection endpoint and
 * applies each version's rules (spec/oneroster.md §2): an unknown filter field or malformed filter
 * is a 400; an unknown sort field is a warning in 1.1 and ignored in 1.2; an unknown `fields` entry
 * is a warning in 1.1 and a 400 in 1.2; a blank selection is a 400. Other parameters are ignored.
 * `limit` above `maxLimit` is served as `maxLimit`, with paging headers telling the client to go on.
 */
export function readCollectionParams(
  q: RawQuery, entity: EntityName, version: OneRosterVersion, opts: { maxLimit?: number; hidden?: ReadonlySet<string> } = {},
): CollectionParams {
  const { maxLimit = 10_000, hidden = NOTHING_HIDDEN } = opts;
  const warnings: QueryWarning[] = [];
  const filterText = single(q, 'filter');
  let filter: FilterExpr | undefined;
  if (filterText !== undefined && filterText.trim() !== '') {
    try {
      filter = parseFilter(filterText);
    } catch (e) {
      if (e instanceof FilterSyntaxError) throw invalidFilter(e.message, { position: e.position, expected: e.expected });
      throw e;
    }
    const shut = filter && fieldsOf(filter).find((f) => isHidden(f, hidden));
    if (shut) throw invalidFilter(`Field "${shut}" is not available to this client`, { field: shut });
  }

  let sort = single(q, 'sort')?.trim() || undefined;
  const sortDef = sort === undefined ? undefined : lookupField(entity, version, sort);
  if (sort !== undefined && (!sortDef?.sortable || sortDef.array || isHidden(sort, hidden))) {
    if (version === '1.1') warnings.push({ codeMinor: 'invalid_sort_field', description: `Cannot sort by "${sort}"; sorted by sourcedId` });
    sort = undefined;
  }
  const orderBy = single(q, 'orderBy')?.trim().toLowerCase();
  if (orderBy !== undefined && orderBy !== 'asc' && orderBy !== 'desc') {
    throw invalid('invaliddata', `orderBy must be asc or desc; got "${orderBy.slice(0, 40)}"`, { parameter: 'orderBy' });
  }

  const fields = readFields(q, entity, version, warnings, hidden);
  return {
    filter,
    sort,
    descending: orderBy === 'desc',
    fields,
    limit: Math.min(integer(q, 'limit', 1, DEFAULT_LIMIT), maxLimit),
    offset: integer(q, 'offset', 0, 0),
    warnings,
  };
}

/** `fields` as a comma list or repeated parameter (the only parameter of single-object endpoints). */
export function readFields(
  q: RawQuery, entity: EntityName, version: OneRosterVersion, warnings: QueryWarning[], hidden: ReadonlySet<string> = NOTHING_HIDDEN,
): string[] | undefined {
  const raw = q.fields;
  if (raw === undefined) return undefined;
  const names = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) {
    throw invalid(version === '1.1' ? 'invalid_blank_selection_field' : 'invalid_selection_field', 'fields is blank: name at least one field, or leave the parameter out');
  }
  const allowed = fieldSet(entity, version).select.filter((f) => !hidden.has(f));
  const unknown = names.filter((n) => !allowed.includes(n));
  if (unknown.length && version === '1.2') {
    throw invalid('invalid_selection_field', `Unknown field${unknown.length > 1 ? 's' : ''} in fields: ${unknown.join(', ')}`, { fields: unknown });
  }
  if (unknown.length) warnings.push({ codeMinor: 'invalid_selection_field', description: `Unknown field${unknown.length > 1 ? 's' : ''} ignored: ${unknown.join(', ')}` });
  const known = [...new Set(names.filter((n) => allowed.includes(n)))];
  return known.length ? known : undefined;
}
