import type { OneRosterVersion } from '../../model/vocab.js';
import type { Endpoint } from '../oneroster/endpoints.js';
import { envelopeName } from './envelope-schemas.js';
import { ref, type Schema } from './schema-kit.js';
import { STATUS_SCHEMA } from './status-schemas.js';

/** `#/components/headers`: paging headers, and those of 401 and 429 responses. */
export function headerComponents(): Record<string, Schema> {
  return {
    'X-Total-Count': {
      description: 'How many records match the request in all (after filtering), not how many this page holds.',
      schema: { type: 'integer', minimum: 0 },
    },
    Link: {
      description:
        'Links to other pages of the same request (RFC 8288), as absolute URLs that keep filter, sort, orderBy and fields: ' +
        '`rel="first"`, `rel="last"`, `rel="prev"` (not on the first page) and `rel="next"` (not on the last page).',
      schema: { type: 'string' },
      example: '<https://host/ims/oneroster/rostering/v1p2/users?limit=100&offset=100>; rel="next", <https://host/ims/oneroster/rostering/v1p2/users?limit=100&offset=900>; rel="last"',
    },
    'Retry-After': { description: 'Seconds to wait before the next request.', schema: { type: 'integer', minimum: 1 } },
    'WWW-Authenticate': { description: 'The authentication schemes the endpoint takes.', schema: { type: 'string' } },
  };
}

type ErrorResponse = { status: string; name: string; v12: string; v11: string; header?: string };

const ERRORS: ErrorResponse[] = [
  {
    status: '400', name: 'BadRequest',
    v12: 'The request cannot be answered as asked: an unknown field or a malformed `filter` (`invalid_filter_field`), an unknown or blank entry in `fields` (`invalid_selection_field`), or a malformed `limit`, `offset` or `orderBy` (`invaliddata`).',
    v11: 'The request cannot be answered as asked: an unknown field or a malformed `filter` (`invalid_filter_field`), a blank `fields` (`invalid_blank_selection_field`), or a malformed `limit`, `offset` or `orderBy` (`invalid data`).',
  },
  {
    status: '401', name: 'Unauthorized',
    v12: 'No valid credentials came with the request (`unauthorisedrequest`): the token is missing, unknown or expired.',
    v11: 'No valid credentials came with the request (`unauthorized`): the token is missing, unknown or expired, or the OAuth 1.0a signature does not verify.',
    header: 'WWW-Authenticate',
  },
  {
    status: '403', name: 'Forbidden',
    v12: 'The credentials are valid but grant none of the scopes the operation accepts (`forbidden`).',
    v11: 'The credentials are valid but grant none of the scopes the operation accepts (`forbidden`).',
  },
  {
    status: '404', name: 'NotFound',
    v12: 'No record has the sourcedId in the path, or it is not visible to this client (`unknownobject`).',
    v11: 'No record has the sourcedId in the path, or it is not visible to this client (`unknown object`).',
  },
  {
    status: '429', name: 'TooManyRequests',
    v12: 'The client sent too many requests (`server_busy`); try again after `Retry-After` seconds.',
    v11: 'The client sent too many requests (`server_busy`); try again after `Retry-After` seconds.',
    header: 'Retry-After',
  },
  {
    status: '500', name: 'ServerError',
    v12: 'The server failed to answer (`internal_server_error`).',
    v11: 'The server failed to answer (`internal_server_error`).',
  },
];

/** `#/components/responses`: the error responses, each with the version's status-info body. */
export function responseComponents(v: OneRosterVersion): Record<string, Schema> {
  return Object.fromEntries(
    ERRORS.map((e) => [
      e.name,
      {
        description: v === '1.2' ? e.v12 : e.v11,
        ...(e.header ? { headers: { [e.header]: { $ref: `#/components/headers/${e.header}` } } } : {}),
        content: { 'application/json': { schema: ref(STATUS_SCHEMA[v]) } },
      },
    ]),
  );
}

/** An operation's responses: the 200 with its envelope and headers, then the errors that can occur. */
export function operationResponses(e: Endpoint, v: OneRosterVersion): Record<string, Schema> {
  const header = (name: string) => ({ $ref: `#/components/headers/${name}` });
  const ok: Schema = {
    description: e.single ? 'The record (`X-Total-Count` is 1).' : 'A page of records.',
    headers: e.single ? { 'X-Total-Count': header('X-Total-Count') } : { 'X-Total-Count': header('X-Total-Count'), Link: header('Link') },
    content: { 'application/json': { schema: ref(envelopeName(e)) } },
  };
  // Top-level collections are never "not found". A relationship whose parent is unknown is a 404
  // in 1.2 and an empty page in 1.1 (src/api/oneroster/handlers.ts).
  const canMiss = e.single || (v === '1.2' && e.parents.length > 0);
  const errors = ERRORS.filter((x) => x.status !== '404' || canMiss).map((x) => [x.status, { $ref: `#/components/responses/${x.name}` }]);
  return { 200: ok, ...Object.fromEntries(errors) };
}
