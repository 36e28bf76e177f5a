import { extendProfile, oneroster, what, type ErrorRule, type VendorProfile } from '../core/index.js';

/** Where a failed request went, for messages: `host/path`. */
const at = (f: { host: string; path: string }) => `${f.host}${f.path}`;

/** The OneRoster profile with the API connector's wording for data requests. */
export const oneRosterApiProfile: VendorProfile = extendProfile(oneroster, {
  errorRules: [
    {
      id: 'oneroster-api-401', when: { status: 401 }, category: 'auth',
      admin: (f) =>
        `401${f.vendorCode ? ` ${f.vendorCode}` : ''} from ${f.vendorName} for ${what(f)}: the credentials were refused even with a fresh token or signature ` +
        '(check the client id and secret, the token URL and, for OAuth 1.0a, the signature method and the Rollcall server\'s clock)',
    },
    {
      id: 'oneroster-api-403', when: { status: 403 }, category: 'permission',
      admin: (f) =>
        `403 from ${f.vendorName}: the client lacks a scope for ${what(f)} (grant this application read access to ${what(f)} in the SIS, ` +
        'e.g. the roster-core, roster or demographics OneRoster scopes)',
    },
  ],
});

/** The token endpoint's own table: its failures are about the token URL and the client's credentials. */
export function tokenProfile(scope: string | undefined): VendorProfile {
  const rules: ErrorRule[] = [
    {
      id: 'ic-app-name', when: { message: /No Campus Application selected/i }, category: 'auth',
      admin: () =>
        'Infinite Campus refused the token request: no Campus application is named (set tokenParams {"appName": "<your Campus application>"} ' +
        'in the connection settings, or add ?appName=<application> to the token URL)',
    },
    {
      id: 'token-invalid-client', when: { status: [400, 401], code: ['invalid_client', 'unauthorized_client'] }, category: 'auth',
      admin: (f) => `${f.status} ${f.vendorCode} from the token URL ${at(f)}: the client id or secret was refused (check both, and that this is the token URL of this OneRoster server)`,
    },
    {
      id: 'token-401', when: { status: 401 }, category: 'auth',
      admin: (f) => `401 from the token URL ${at(f)}: the client id or secret was refused, or this is not the token URL of this OneRoster server (check the client id, secret and token URL)`,
    },
    {
      id: 'token-scope', when: { code: 'invalid_scope' }, category: 'permission',
      admin: (f) => `${f.status} invalid_scope from the token URL ${at(f)}: the client may not ask for the scope ${scope ? `"${scope}"` : 'it asked for'} (leave the scope empty, or grant it to the client in the SIS)`,
    },
    {
      id: 'token-grant', when: { code: ['unsupported_grant_type', 'invalid_grant', 'invalid_request'] }, category: 'rejected',
      admin: (f) => `${f.status} ${f.vendorCode} from the token URL ${at(f)}${f.vendorMessage ? ` ("${f.vendorMessage}")` : ''}: the server does not issue client-credentials tokens to this client as asked (check the token URL and its parameters)`,
    },
    {
      id: 'token-not-found', when: { status: [404, 405] }, category: 'not_found',
      admin: (f) => `${f.status} from the token URL ${at(f)}: there is no token endpoint there (check the token URL; the default is <server root>/oauth/token, Infinite Campus uses https://<host>/campus/oauth2/token)`,
    },
  ];
  return extendProfile(oneroster, { errorRules: rules });
}
