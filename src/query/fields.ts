import type { OneRosterVersion } from '../model/vocab.js';

/**
 * How a field compares:
 * - `id`: sourcedIds and GUIDRef `.sourcedId`s, exact and case-sensitive;
 * - `text`: `=`, `!=`, `~` ignore case; `<`, `>`… compare by Unicode code point;
 * - `enum`: a vocabulary, matched case-insensitively;
 * - `date` / `datetime`: chronological, whatever the literal's ISO 8601 form;
 * - `boolean`: `'true'` / `'false'`, only `=` and `!=`.
 */
export type FieldType = 'id' | 'text' | 'enum' | 'date' | 'datetime' | 'boolean';

export type FieldDef = {
  type: FieldType;
  /** SQL over the row alias `r`: a scalar, or with `array` a text[] (any element matches). Never from user input. */
  sql: string;
  array?: boolean;
  /** For enums: the vocabulary, to normalise literals. */
  values?: readonly string[];
  sortable?: boolean;
  /** A NOT NULL column: pages sorted by it can seek by (key, sourcedId) instead of counting an offset. */
  seekable?: boolean;
  /**
   * For 1.1 `role`: the indexed column behind `sql`, and served values that stand for several stored
   * ones (administrator → the 1.2 admin roles), so `=` and `!=` can use the index.
   */
  aliases?: { column: string; values: Record<string, readonly string[]> };
};

/** The fields of one entity as one OneRoster version serves them. */
export type FieldSet = {
  /** Filterable fields by name (dotted GUIDRef paths included). */
  filter: Record<string, FieldDef>;
  /** Top-level property names a client may select with `fields`. */
  select: readonly string[];
};

export type Versioned<T> = Record<OneRosterVersion, T>;

// Builders that keep the registry files short and uniform.
export const col = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ type, sql: `r.${name}`, sortable: true, ...extra });
export const prop = (key: string, type: FieldType = 'text', extra: Partial<FieldDef> = {}): FieldDef => ({
  type,
  sql: `(r.data->>'${key}')`,
  sortable: true,
  ...extra,
});
export const refId = (key: string): FieldDef => ({ type: 'id', sql: `(r.data->'${key}'->>'sourcedId')`, sortable: true });
export const textArray = (key: string): FieldDef => ({
  type: 'text',
  sql: `array(select jsonb_array_elements_text(coalesce(r.data->'${key}', '[]'::jsonb)))`,
  array: true,
});
export const refArray = (key: string): FieldDef => ({
  type: 'id',
  sql: `array(select e->>'sourcedId' from jsonb_array_elements(coalesce(r.data->'${key}', '[]'::jsonb)) e)`,
  array: true,
});

/** Fields every entity has. */
export const BASE_FIELDS: Record<string, FieldDef> = {
  sourcedId: col('sourced_id', 'id', { seekable: true }),
  status: col('status', 'enum', { values: ['active', 'tobedeleted'], seekable: true }),
  dateLastModified: col('date_last_modified', 'datetime', { seekable: true }),
};
