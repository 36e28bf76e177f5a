import type { OneRosterVersion } from '../../model/vocab.js';
import { ENDPOINTS, type Endpoint } from '../oneroster/endpoints.js';
import { BASE_PATH } from '../oneroster/handlers.js';
import { entitySchemas } from './entity-schemas.js';
import { envelopeSchemas } from './envelope-schemas.js';
import { SUMMARY, TAGS, tagOf } from './operation-text.js';
import { parameterComponents, pathParameters, queryParameterRefs } from './parameters.js';
import { headerComponents, operationResponses, responseComponents } from './responses.js';
import type { Schema } from './schema-kit.js';
import { operationSecurity, securitySchemes } from './security.js';
import { statusSchemas } from './status-schemas.js';


const INFO: Record<OneRosterVersion, string> = {
  '1.2':
    'The OneRoster 1.2 Rostering service of Rollcall: read-only access to a district\'s organisations, academic sessions, courses, ' +
    'classes, users, enrollments and demographics.',
  '1.1':
    'The OneRoster 1.1 rostering endpoints of Rollcall: read-only access to a district\'s organisations, academic sessions, courses, ' +
    'classes, users, enrollments and demographics. Authenticate with OAuth 2.0 client credentials or OAuth 1.0a request signing.',
};

const CONVENTIONS =
  '\n\nConventions: collections page with `limit`/`offset` and always send `X-Total-Count` and `Link`; records are never deleted ' +
  'but flip to `status` `tobedeleted` with a new `dateLastModified`, so `filter=dateLastModified>\'…\'` finds every change since a ' +
  'sync; booleans are the strings "true" and "false"; dates are YYYY-MM-DD and end dates are exclusive; extension data lives ' +
  'in `metadata` only.';

function operation(e: Endpoint, v: OneRosterVersion): Schema {
  const summary = SUMMARY[e.operationId];
  if (!summary) throw new Error(`no summary for ${e.operationId}`);
  const parents = e.parents.map((p) => `{${p.param}}`).join(' or ');
  const missingParent = !parents ? '' : v === '1.2' ? ` A 404 when ${parents} names no such record.` : ` An empty page when ${parents} names no such record.`;
  const description = e.single
    ? 'One record by its sourcedId. Only `fields` applies.'
    : `A page of the matching records, sorted by sourcedId unless \`sort\` says otherwise.${missingParent}`;
  return {
    operationId: e.operationId,
    summary,
    description,
    tags: [tagOf(e.path)],
    parameters: [...pathParameters(e.path), ...queryParameterRefs(e)],
    security: operationSecurity(v, e.scope),
    responses: operationResponses(e, v),
  };
}

/**
 * The OpenAPI 3.0.3 document of a version's rostering service, generated from the endpoint table,
 * the field registry and the serializers' shapes. `serverUrl` is the server's origin (and any path
 * prefix), without the OneRoster base path: `https://roster.example.org`.
 */
export function buildOpenApi(version: OneRosterVersion, serverUrl: string): object {
  const server = serverUrl.replace(/\/+$/, '');
  const paths: Record<string, Schema> = {};
  for (const e of ENDPOINTS) paths[e.path] = { get: operation(e, version) };
  const usedTags = new Set(ENDPOINTS.map((e) => tagOf(e.path)));
  return {
    openapi: '3.0.3',
    info: {
      title: `Rollcall OneRoster ${version} Rostering API`,
      version,
      description: INFO[version] + CONVENTIONS,
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    servers: [{ url: `${server}${BASE_PATH[version]}`, description: `OneRoster ${version} rostering` }],
    tags: Object.values(TAGS).filter((t) => usedTags.has(t.name)),
    paths,
    components: {
      securitySchemes: securitySchemes(version, server),
      parameters: parameterComponents(ENDPOINTS, version),
      headers: headerComponents(),
      responses: responseComponents(version),
      schemas: { ...entitySchemas(version), ...envelopeSchemas(ENDPOINTS, version), ...statusSchemas(version) },
    },
  };
}
