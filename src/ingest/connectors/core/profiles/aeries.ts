import { what } from '../error-rules.js';
import { defineProfile } from '../profile.js';

/** Aeries SIS API v5: a static `AERIES-CERT` header; errors as `{"Message": "…"}`; no published rate limit. */
export const aeries = defineProfile({
  vendor: 'aeries',
  displayName: 'Aeries',
  budget: { requests: 60, perMs: 60_000 },
  errorRules: [
    {
      id: 'aeries-401', when: { status: 401 }, category: 'auth',
      admin: () => '401 from Aeries: the AERIES-CERT certificate was refused (check the certificate in the connection settings; it may have been revoked in Aeries)',
    },
    {
      id: 'aeries-403', when: { status: 403 }, category: 'permission',
      admin: (f) => `403 from Aeries: the API key lacks permission for ${what(f)} (check the Aeries security settings)`,
    },
    {
      id: 'aeries-501', when: { status: 501 }, category: 'rejected',
      admin: (f) => `501 from Aeries: ${f.path} is turned off on this Aeries server (ask the Aeries administrator to enable this v5 API feature)`,
    },
  ],
});
