import { z } from 'zod';

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
      } catch {
        return false;
      }
    }, `${what} must be an http(s) URL without user name or password, e.g. https://sis.example.org`);

/**
 * A OneRoster REST server (Infinite Campus, Librus, ClassLink, Aeries, custom). Stored in clear in
 * the connection.
 *
 * - `baseUrl`: the server root (`https://sis.example.org`, or a vendor prefix such as Infinite
 *   Campus' `https://host/campus/api/oneroster/v1p1/<appName>`), under which the standard base paths
 *   are probed; or the full base (`…/ims/oneroster/v1p1`), used as it is.
 * - `version`: `auto` probes 1.2, then 1.1, then 1.0 base paths and remembers the one that answers.
 * - `tokenUrl` (OAuth 2): default `<root>/oauth/token`; `tokenParams` are extra form fields of the
 *   token request (Infinite Campus: `{"appName": "<Campus application>"}`).
 */
export const OneRosterApiConfig = z
  .object({
    baseUrl: httpUrl('baseUrl'),
    version: z.enum(['1.0', '1.1', '1.2', 'auto']).default('auto'),
    auth: z.enum(['oauth2', 'oauth1']).default('oauth2'),
    tokenUrl: httpUrl('tokenUrl').optional(),
    tokenParams: z.record(z.string().min(1), z.string()).optional(),
    scope: z.string().trim().min(1).optional(),
    oauth1Method: z.enum(['HMAC-SHA256', 'HMAC-SHA1']).default('HMAC-SHA256'),
    /** Records asked per page (`limit`); servers may send fewer. */
    pageSize: z.number().int().min(1).max(10_000).default(1000),
    /** At most this many requests a minute to the server (shared by every pull of the connection). */
    budgetPerMinute: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();

export type OneRosterApiConfig = z.output<typeof OneRosterApiConfig>;

/** OAuth 2 client id and secret, or OAuth 1.0a consumer key and secret. Sealed at rest. */
export const OneRosterApiCredentials = z
  .object({
    clientId: z.string().trim().min(1),
    clientSecret: z.string().min(1),
  })
  .strict();

export type OneRosterApiCredentials = z.output<typeof OneRosterApiCredentials>;
