import type { EntityName } from '../../model/entities.js';
import type { OneRosterVersion } from '../../model/vocab.js';
import { fieldSet } from '../../query/registry/index.js';
import type { Endpoint } from '../oneroster/endpoints.js';
import type { Schema } from './schema-kit.js';

const code = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');
const paramRef = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });

/** Component names of the query parameters an endpoint takes: all six on collections, `fields` alone on single records. */
export function queryParameterRefs(e: Endpoint): Schema[] {
  const names = e.single ? [`${e.entity}.fields`] : ['limit', 'offset', `${e.entity}.sort`, 'orderBy', `${e.entity}.filter`, `${e.entity}.fields`];
  return names.map(paramRef);
}

/** The path parameters of a path template, each a record's sourcedId. */
export function pathParameters(path: string): Schema[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: name === 'sourcedId' ? 'sourcedId of the record.' : `sourcedId of the ${name.replace(/SourcedId$/, '')}.`,
    schema: { type: 'string' },
  }));
}

function entityParameters(entity: EntityName, v: OneRosterVersion): Record<string, Schema> {
  const set = fieldSet(entity, v);
  const filterable = Object.keys(set.filter);
  const sortable = Object.entries(set.filter).filter(([, f]) => f.sortable && !f.array).map(([n]) => n);
  const unknownSort = v === '1.1'
    ? 'Any other field is ignored: the records come sorted by sourcedId, with an `invalid_sort_field` warning in `statusInfoSet`.'
    : 'Any other field is ignored and the records come sorted by sourcedId.';
  const unknownField = v === '1.1'
    ? 'Unknown names are left out with an `invalid_selection_field` warning in `statusInfoSet`; a blank value is a 400 `invalid_blank_selection_field`.'
    : 'An unknown name, or a blank value, is a 400 `invalid_selection_field`.';
  return {
    [`${entity}.sort`]: {
      name: 'sort',
      in: 'query',
      required: false,
      description: `The field to sort by; use \`orderBy\` for the direction. Ties are broken by sourcedId, so pages never overlap. Sortable: ${code(sortable)}, and \`metadata.<key>\`. ${unknownSort}`,
      schema: { type: 'string' },
      allowReserved: true,
      example: 'familyName',
    },
    [`${entity}.filter`]: {
      name: 'filter',
      in: 'query',
      required: false,
      description:
        'Which records to return: comparisons of the form `field<op>\'value\'` (op one of `=`, `!=`, `>`, `>=`, `<`, `<=`, `~` for "contains"), ' +
        'joined by `AND` / `OR` (AND binds tighter; parentheses allowed). Values are always in single quotes; dates and date-times compare ' +
        'chronologically; text compares without regard to ASCII case, sourcedIds exactly; on a list (grades, roles …) any element may match. ' +
        'The whole value should be URL-encoded. An unknown field or malformed filter is a 400 ' +
        `\`invalid_filter_field\`. Filterable: ${code(filterable)}, and \`metadata.<key>\`.`,
      schema: { type: 'string' },
      allowReserved: true,
      example: "status='active' AND dateLastModified>'2025-01-01T00:00:00Z'",
    },
    [`${entity}.fields`]: {
      name: 'fields',
      in: 'query',
      required: false,
      description: `The properties to return, as a comma-separated list (\`fields=sourcedId,givenName\`); the parameter may also be repeated. References come whole. Selectable: ${code(set.select)}. ${unknownField}`,
      schema: { type: 'string' },
      allowReserved: true,
      example: 'sourcedId,status',
    },
  };
}

/** `#/components/parameters`: the paging parameters, and sort/filter/fields per entity (their fields differ). */
export function parameterComponents(endpoints: readonly Endpoint[], v: OneRosterVersion): Record<string, Schema> {
  const entities = [...new Set(endpoints.map((e) => e.entity))];
  return {
    limit: {
      name: 'limit',
      in: 'query',
      required: false,
      description: 'Page size: how many records to return at most. Rollcall serves up to 10,000 records a page; a larger limit gets 10,000, and the `Link` and `X-Total-Count` headers tell how to continue.',
      schema: { type: 'integer', format: 'int32', minimum: 1, default: 100 },
    },
    offset: {
      name: 'offset',
      in: 'query',
      required: false,
      description: 'Zero-based position of the first record to return. Past the end the page is empty.',
      schema: { type: 'integer', format: 'int32', minimum: 0, default: 0 },
    },
    orderBy: {
      name: 'orderBy',
      in: 'query',
      required: false,
      description: 'Sort direction for `sort`: `asc` (the default) or `desc`.',
      schema: { type: 'string', enum: ['asc', 'desc'] },
    },
    ...Object.fromEntries(entities.flatMap((e) => Object.entries(entityParameters(e, v)))),
  };
}
