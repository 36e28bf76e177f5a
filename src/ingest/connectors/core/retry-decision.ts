import { backoffDelay, type Random } from './backoff.js';
import type { RetryPolicy } from './config.js';
import type { AttemptFailure } from './failure.js';
import { isRetryableNetworkCode } from './network-errors.js';
import { serverWaitHint, type WaitHeaderSpec } from './wait-hints.js';

/**
 * Statuses worth another attempt: 408, 425, 429 and 5xx. Not 501 and 505, which say the server
 * cannot do this at all (Clever's "unsupported", Aeries' feature flag), and never other 4xx.
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Whether a failure is transient, before any vendor rule has its say. */
export function isTransientFailure(f: AttemptFailure): boolean {
  switch (f.reason) {
    case 'status': return f.status !== undefined && isTransientStatus(f.status);
    case 'timeout': case 'truncated': case 'invalid_json': return true;
    case 'network': return isRetryableNetworkCode(f.networkCode);
    case 'tls': return false;
  }
}

export interface RetryContext {
  /** Attempts made so far for transient failures, this one included (1 after the first). */
  attempt: number;
  policy: RetryPolicy;
  waitHeaders: readonly WaitHeaderSpec[];
  /** A vendor rule's verdict on this failure, when it has one. */
  ruleRetryable?: boolean;
  now: number;
  random: Random;
}

export interface RetryDecision {
  /** Try again (the failure is transient and attempts remain). */
  retry: boolean;
  /** The failure is transient, attempts left or not: a later run may well succeed. */
  retryable: boolean;
  waitMs: number;
  /** Why, for logs: `status_503`, `network_ECONNRESET`, `timeout`… and where the wait came from. */
  reason: string;
  waitSource: 'backoff' | `header:${string}` | 'none';
  /** The server asked everyone to slow down: hold the whole connection, not just this request. */
  pauseConnection: boolean;
}

const describe = (f: AttemptFailure) =>
  f.reason === 'status' ? `status_${f.status}${f.vendorCode ? `_${f.vendorCode}` : ''}` : f.reason === 'network' ? `network_${f.networkCode ?? 'unknown'}` : f.reason;

/**
 * The one retry rule. Transient failures are retried until `maxAttempts`; the wait is full-jitter
 * backoff, or the server's own hint when it gave one and it is longer, never beyond `maxWaitMs`.
 */
export function decideRetry(f: AttemptFailure, ctx: RetryContext): RetryDecision {
  const retryable = ctx.ruleRetryable ?? isTransientFailure(f);
  const reason = describe(f);
  if (!retryable || ctx.attempt >= ctx.policy.maxAttempts) return { retry: false, retryable, waitMs: 0, reason, waitSource: 'none', pauseConnection: false };
  const backoff = backoffDelay(ctx.attempt, ctx.policy, ctx.random);
  const hint = serverWaitHint(f.headers, ctx.waitHeaders, ctx.now);
  const fromServer = hint !== undefined && hint.waitMs >= backoff;
  const wanted = fromServer ? hint.waitMs : backoff;
  const waitMs = Math.min(wanted, ctx.policy.maxWaitMs);
  return {
    retry: true, retryable, waitMs,
    reason: `${reason}${wanted > waitMs ? '_wait_capped' : ''}`,
    waitSource: fromServer ? `header:${hint.header}` : 'backoff',
    pauseConnection: hint !== undefined || f.status === 429,
  };
}
