import type { OneRosterVersion } from '../../model/vocab.js';
import { scopesFor } from '../auth/scopes.js';
import type { ScopeClass } from '../oneroster/endpoints.js';
import type { Schema } from './schema-kit.js';

const VERSION_PATH: Record<OneRosterVersion, string> = { '1.1': 'v1p1', '1.2': 'v1p2' };

/** The scope URI of a version, e.g. https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly */
export const scopeUri = (v: OneRosterVersion, name: 'roster-core' | 'roster' | 'roster-demographics') =>
  `https://purl.imsglobal.org/spec/or/${VERSION_PATH[v]}/scope/${name}.readonly`;

/** `#/components/securitySchemes`: OAuth 2.0 client credentials, and for 1.1 OAuth 1.0a request signing too. */
export function securitySchemes(v: OneRosterVersion, serverUrl: string): Record<string, Schema> {
  const oauth2: Schema = {
    type: 'oauth2',
    description:
      'OAuth 2.0 client credentials. POST `grant_type=client_credentials` (and optionally `scope`, space-separated) as a form to the token URL, ' +
      'authenticating with the client id and secret (HTTP Basic, or `client_id`/`client_secret` in the form); send the returned access token ' +
      'as `Authorization: Bearer <token>`. A missing or invalid token is a 401; a token without a scope the operation accepts is a 403.',
    flows: {
      clientCredentials: {
        tokenUrl: `${serverUrl}/oauth/token`,
        scopes: {
          [scopeUri(v, 'roster-core')]: 'Read the core records: the collections and single records of orgs, schools, academic sessions, terms, grading periods, courses, classes, users, students, teachers and enrollments.',
          [scopeUri(v, 'roster')]: 'Read everything but demographics: the core reads plus the relationship endpoints (classes of a term, students of a class …).',
          [scopeUri(v, 'roster-demographics')]: 'Read demographics, as a collection or one record.',
        },
      },
    },
  };
  if (v === '1.2') return { OAuth2CC: oauth2 };
  return {
    OAuth2CC: oauth2,
    OAuth: {
      type: 'http',
      scheme: 'OAuth',
      description:
        'OAuth 1.0a request signing, as OneRoster 1.1 first defined it (OpenAPI 3.0 has no scheme type for it). Sign each request with the ' +
        'client id as consumer key and the client secret as consumer secret, no token, signature method HMAC-SHA256 or HMAC-SHA1, and send ' +
        'the `Authorization: OAuth oauth_consumer_key="…", oauth_signature_method="…", oauth_timestamp="…", oauth_nonce="…", ' +
        'oauth_signature="…"` header. The client\'s granted scopes apply as with OAuth 2.0.',
    },
  };
}

/**
 * An operation's `security`: alternatives, any one of which suffices (the scopes the server itself
 * checks, src/api/auth/scopes.ts): core reads take roster-core or roster; the relationship
 * endpoints roster only; demographics roster-demographics only. 1.1 also takes OAuth 1.0a.
 */
export function operationSecurity(v: OneRosterVersion, scope: ScopeClass): Schema[] {
  const oauth2 = scopesFor(scope, v).map((s) => ({ OAuth2CC: [s] }));
  return v === '1.1' ? [...oauth2, { OAuth: [] }] : oauth2;
}
