import { z } from 'zod';
import { RollcallError } from '../../../errors.js';

/** How one request is retried. Defaults: 3 attempts, full-jitter backoff from 1 s, server waits capped at 60 s. */
export const RetryPolicySchema = z.object({
  /** Attempts for transient failures, the first included. */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Backoff ceiling of the first retry; it doubles on each further retry. */
  baseDelayMs: z.number().int().min(0).default(1_000),
  /** Largest backoff ceiling. */
  maxDelayMs: z.number().int().min(0).default(30_000),
  /** Largest wait taken from the server (Retry-After, X-RateLimit-Reset); longer hints are cut to this. */
  maxWaitMs: z.number().int().min(0).default(60_000),
}).strict();

/**
 * A connection's request budget: never more than `requests` in any window of `perMs`, with up to
 * `burst` sent back to back (default: about one second's worth).
 */
export const BudgetSchema = z.object({
  requests: z.number().int().positive(),
  perMs: z.number().int().positive().default(60_000),
  burst: z.number().int().positive().optional(),
}).strict().refine((b) => b.burst === undefined || b.burst <= b.requests, { message: 'burst cannot exceed requests', path: ['burst'] });

/** The reliability settings of one connection. `budget: null` turns off the vendor's default budget. */
export const HttpConfigSchema = z.object({
  retry: RetryPolicySchema.prefault({}),
  /** Per attempt, from sending the request to the last byte of the body. */
  timeoutMs: z.number().int().positive().default(30_000),
  budget: BudgetSchema.nullable().optional(),
}).strict();

export type RetryPolicy = z.output<typeof RetryPolicySchema>;
export type BudgetInput = z.input<typeof BudgetSchema>;
export type BudgetConfig = z.output<typeof BudgetSchema>;
export type HttpConfigInput = z.input<typeof HttpConfigSchema>;
export type HttpConfig = z.output<typeof HttpConfigSchema>;

export function parseHttpConfig(input: unknown = {}): HttpConfig {
  const parsed = HttpConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RollcallError('invalid_input', `invalid connection reliability settings: ${issues.join('; ')}`, { issues });
  }
  return parsed.data;
}
