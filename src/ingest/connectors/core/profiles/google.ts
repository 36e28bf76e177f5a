import { tries, what } from '../error-rules.js';
import { defineProfile } from '../profile.js';

/** Google Admin SDK Directory API: service account with domain-wide delegation; 2,400 queries a minute. */
export const google = defineProfile({
  vendor: 'google',
  displayName: 'Google',
  budget: { requests: 2_400, perMs: 60_000 },
  errorRules: [
    {
      id: 'google-unauthorized-client', when: { code: 'unauthorized_client' }, category: 'auth',
      admin: (f) => `${f.status ?? 401} unauthorized_client from Google: domain-wide delegation is not authorised in the Google Admin console (add the service account's client id with the Directory read scopes under Security → API controls → Domain-wide delegation)`,
    },
    {
      id: 'google-invalid-subject', when: { code: 'invalid_grant', message: /invalid email or user id/i }, category: 'auth',
      admin: () => 'invalid_grant from Google: the admin email to act as is not a user of this Google Workspace domain (check the admin email in the connection settings)',
    },
    {
      id: 'google-jwt-time', when: { code: 'invalid_grant', message: /short-lived|iat and exp/i }, category: 'auth',
      admin: () => 'invalid_grant from Google: the signed request was refused as out of date (check that the Rollcall server\'s clock is right)',
    },
    {
      id: 'google-jwt-key', when: { code: 'invalid_grant', message: /signature|account not found/i }, category: 'auth',
      admin: () => 'invalid_grant from Google: the service account key was refused (it may have been deleted or rotated: upload a current JSON key)',
    },
    {
      id: 'google-quota', when: { status: [403, 429], code: ['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded'] }, retryable: true, category: 'rate_limited',
      admin: (f) => `${f.status} ${f.vendorCode} from Google: the API quota is used up${tries(f)} (lower this connection's request budget, or ask Google for a higher Admin SDK quota)`,
    },
    {
      id: 'google-403', when: { status: 403 }, category: 'permission',
      admin: (f) => `403 from Google: the admin account used for delegation may not read ${what(f)} (use an admin with the Directory read privileges in the Google Admin console)`,
    },
    {
      id: 'google-401', when: { status: 401 }, category: 'auth',
      admin: () => '401 from Google: the access token was refused (check the service account key and the admin email in the connection settings)',
    },
  ],
});
