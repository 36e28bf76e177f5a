import { what } from '../error-rules.js';
import { defineProfile } from '../profile.js';

/** OneRoster REST base paths, newest first; `resolveVersion` remembers the one a server answers on. */
export const ONEROSTER_BASE_PATHS = ['/ims/oneroster/rostering/v1p2', '/ims/oneroster/v1p2', '/ims/oneroster/v1p1'] as const;

/** A generic OneRoster 1.1/1.2 REST server (Infinite Campus and others): imsx StatusInfo errors. */
export const oneroster = defineProfile({
  vendor: 'oneroster',
  displayName: 'the OneRoster server',
  errorRules: [
    {
      id: 'ic-app-name', when: { message: /No Campus Application selected/i }, category: 'auth',
      admin: () => 'Infinite Campus: the token URL lacks the application name (add ?appName=<your Campus application> to the token URL in the connection settings)',
    },
    {
      id: 'oneroster-unauthorised', when: { status: 401 }, category: 'auth',
      admin: (f) => `401${f.vendorCode ? ` ${f.vendorCode}` : ''} from ${f.vendorName}: the OAuth credentials were refused (check the client id and secret; for OAuth 1.0a also the Rollcall server's clock)`,
    },
    {
      id: 'oneroster-forbidden', when: { status: 403 }, category: 'permission',
      admin: (f) => `403 from ${f.vendorName}: the client's scopes do not cover ${what(f)} (grant it roster-core, roster or demographics read access in the SIS)`,
    },
    {
      id: 'oneroster-invalid-filter', when: { code: ['invalid_filter_field', 'invalid_selection_field'] }, category: 'rejected',
      admin: (f) => `${f.status} ${f.vendorCode} from ${f.vendorName}: the server does not support a filter or field the connector asked for on ${what(f)} (report it with the technical detail)`,
    },
  ],
});
