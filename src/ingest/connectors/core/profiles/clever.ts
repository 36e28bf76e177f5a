import { what } from '../error-rules.js';
import { defineProfile } from '../profile.js';
import { RETRY_AFTER } from '../wait-hints.js';

const RESET = { name: 'x-ratelimit-reset', form: 'epoch' } as const;

/** Clever API v3: 1,200 requests a minute per token, `X-RateLimit-Reset` as a Unix time, `{"message"}` errors. */
export const clever = defineProfile({
  vendor: 'clever',
  displayName: 'Clever',
  budget: { requests: 1_200, perMs: 60_000 },
  waitHeaders: [RETRY_AFTER, RESET],
  rateLimit: { remaining: 'x-ratelimit-remaining', reset: RESET },
  errorRules: [
    {
      id: 'clever-401', when: { status: 401 }, category: 'auth',
      admin: () => '401 from Clever: the district token was refused (the district may have disconnected the application: check it in the Clever dashboard)',
    },
    {
      id: 'clever-404', when: { status: 404 }, category: 'not_found',
      admin: (f) => `404 from Clever: ${what(f)} is not shared with this application, or was deleted (check the district's sharing rules in the Clever dashboard)`,
    },
    {
      id: 'clever-413', when: { status: 413 }, category: 'rejected',
      admin: () => '413 from Clever: the page size is above Clever\'s limit of 10,000 (a connector problem: report it)',
    },
  ],
});
