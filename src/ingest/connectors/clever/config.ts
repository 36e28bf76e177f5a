import { z } from 'zod';

export const CLEVER_API = 'https://api.clever.com';
export const CLEVER_TOKENS = 'https://clever.com/oauth/tokens';
/** Clever answers 413 above this page size. */
export const CLEVER_MAX_PAGE = 10_000;

const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

/** A Clever connection's settings (stored in clear). */
export const CleverConfig = z.object({
  /** The API host; `/v3.0` is added (and tolerated when given). */
  baseUrl: url.default(CLEVER_API),
  /** Where district-app tokens are listed (GET with HTTP Basic). */
  tokenUrl: url.default(CLEVER_TOKENS),
  /** Which district, when the application is connected to several. */
  districtId: z.string().trim().min(1).optional(),
  pageSize: z.number().int().min(1).max(CLEVER_MAX_PAGE).default(1000),
  /** Requests a minute for this connection (Clever allows 1,200 per token). */
  budgetPerMinute: z.number().int().min(1).max(100_000).default(1200),
}).strict();
export type CleverConfig = z.output<typeof CleverConfig>;

/**
 * A district-app's client id and secret (the token is listed from Clever's token endpoint), or a
 * district token handed over directly.
 */
export const CleverCredentials = z.union([
  z.object({ clientId: z.string().trim().min(1), clientSecret: z.string().min(1) }).strict(),
  z.object({ districtToken: z.string().trim().min(1) }).strict(),
]);
export type CleverCredentials = z.output<typeof CleverCredentials>;

/** `https://api.clever.com` or `…/v3.0` → the v3.0 base. */
export function apiBase(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '').replace(/\/v3\.0$/, '')}/v3.0`;
}
