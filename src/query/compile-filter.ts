import type { EntityName } from '../model/entities.js';
import type { OneRosterVersion } from '../model/vocab.js';
import { RollcallError } from '../errors.js';
import type { Comparison, FilterExpr, Predicate } from './ast.js';
import type { FieldDef } from './fields.js';
import { booleanOf, enumOf, instantOf } from './literals.js';
import { lookupField } from './registry/index.js';

/** SQL with `?` placeholders and their values, in order. */
export type SqlFragment = { sql: string; bindings: string[] };

/** A 400 with codeMinor invalid_filter_field, naming the field and where it stands in the filter. */
export function invalidFilter(message: string, details: Record<string, unknown>): RollcallError {
  return new RollcallError('invalid_input', message, { codeMinor: 'invalid_filter_field', ...details });
}

const ORDER_OPS: Record<Exclude<Predicate, '=' | '!=' | '~'>, string> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/**
 * Compiles a parsed filter for one entity and version to a SQL condition over the row alias `r`.
 * Column expressions come only from the field registry; every value from the filter is a binding.
 * Case rules: sourcedIds exact; enumerations and other text ignore ASCII case for `=`, `!=` and `~`,
 * and compare by Unicode code point for `<` `<=` `>` `>=`; dates and date-times chronologically.
 * `!=` on a scalar matches records where the field is absent; an array field matches when any
 * element matches (so an empty or absent array matches nothing).
 */
export function compileFilter(expr: FilterExpr, entity: EntityName, version: OneRosterVersion): SqlFragment {
  if (expr.kind !== 'comparison') {
    const parts = expr.terms.map((t) => compileFilter(t, entity, version));
    return { sql: `(${parts.map((p) => p.sql).join(expr.kind === 'and' ? ' and ' : ' or ')})`, bindings: parts.flatMap((p) => p.bindings) };
  }
  const field = lookupField(entity, version, expr.field);
  if (!field) {
    throw invalidFilter(`Unknown filter field "${expr.field}" at character ${expr.position + 1}`, { field: expr.field, position: expr.position });
  }
  if (expr.value.includes('\u0000')) {
    // Postgres text cannot hold NUL, so no stored value contains one: refuse rather than fail in the database.
    throw invalidFilter(`Filter value for "${expr.field}" at character ${expr.position + 1} contains a NUL character`, { field: expr.field, position: expr.position });
  }
  const target: SqlFragment = { sql: field.sql, bindings: field.metadataKey === undefined ? [] : [field.metadataKey] };
  if (field.array) {
    const inner = comparison({ sql: 'e.v', bindings: [] }, { ...field, array: false }, expr);
    return { sql: `exists (select 1 from unnest(${target.sql}) as e(v) where ${inner.sql})`, bindings: [...target.bindings, ...inner.bindings] };
  }
  return comparison(target, field, expr);
}

/** One comparison of the expression `target` with the filter's value; `target`'s bindings come first. */
function comparison(target: SqlFragment, field: FieldDef, c: Comparison): SqlFragment {
  const { sql: x } = target;
  const withValue = (sql: string, ...values: string[]): SqlFragment => ({ sql, bindings: [...target.bindings, ...values] });
  const bad = (why: string) => invalidFilter(`Filter value for "${c.field}" at character ${c.position + 1} ${why}`, { field: c.field, position: c.position, value: c.value });
  switch (field.type) {
    case 'datetime':
    case 'date': {
      const at = field.type === 'date' ? `((${x})::date::timestamp at time zone 'UTC')` : x;
      if (c.op === '~') {
        const text = field.type === 'date' ? x : `to_char(${x} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
        return withValue(`strpos(${text}, ?) > 0`, c.value);
      }
      const instant = instantOf(c.value);
      if (!instant) throw bad('must be an ISO 8601 date (YYYY-MM-DD) or date-time');
      if (c.op === '=') return withValue(`${at} = ?::timestamptz`, instant);
      if (c.op === '!=') return withValue(`${at} is distinct from ?::timestamptz`, instant);
      return withValue(`${at} ${ORDER_OPS[c.op]} ?::timestamptz`, instant);
    }
    case 'boolean': {
      const b = booleanOf(c.value);
      if (!b) throw bad("must be 'true' or 'false'");
      if (c.op === '=') return withValue(`${x} = ?`, b);
      if (c.op === '!=') return withValue(`${x} is distinct from ?`, b);
      throw bad(`cannot use ${c.op}: a boolean field takes = or !=`);
    }
    case 'id':
      if (c.op === '=') return withValue(`${x} = ?`, c.value);
      if (c.op === '!=') return withValue(`${x} is distinct from ?`, c.value);
      if (c.op === '~') return withValue(`strpos(${x}, ?) > 0`, c.value);
      return withValue(`${x} collate "C" ${ORDER_OPS[c.op]} ?`, c.value);
    case 'enum': {
      const known = field.values && enumOf(c.value, field.values);
      const alias = field.aliases && known !== undefined ? field.aliases.values[known] : undefined;
      if ((c.op === '=' || c.op === '!=') && field.aliases && known !== undefined) {
        // Stored values are in the vocabulary's spelling: compare the indexed column exactly.
        const stored = alias ?? [known];
        const list = stored.map(() => '?').join(', ');
        const sql = c.op === '=' ? `${field.aliases.column} in (${list})` : `${field.aliases.column} not in (${list})`;
        return { sql, bindings: [...stored] }; // the indexed column has no bindings of its own
      }
      if (c.op === '=' && known !== undefined) return withValue(`${x} = ?`, known);
      if (c.op === '!=' && known !== undefined) return withValue(`${x} is distinct from ?`, known);
      return text(target, c);
    }
    case 'text':
      return text(target, c);
  }
}

/** ASCII case-insensitive equality and containment; code-point order for the order predicates. */
function text(target: SqlFragment, c: Comparison): SqlFragment {
  const folded = `lower((${target.sql}) collate "C")`;
  const sql =
    c.op === '=' ? `${folded} = lower(? collate "C")`
    : c.op === '!=' ? `${folded} is distinct from lower(? collate "C")`
    : c.op === '~' ? `strpos(${folded}, lower(? collate "C")) > 0`
    : `(${target.sql}) collate "C" ${ORDER_OPS[c.op]} ?`;
  return { sql, bindings: [...target.bindings, c.value] };
}
