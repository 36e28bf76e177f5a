import type { RetryPolicy } from './config.js';

/** A source of numbers in [0, 1): `Math.random` in production, a fixed sequence in tests. */
export type Random = () => number;

/** The upper bound of the wait before retry number `retry` (1 = the first retry): base·2^(retry−1), capped. */
export function backoffCeiling(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
}

/** "Full jitter": a uniform wait in [0, ceiling), so clients that failed together do not retry together. */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: Random): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(retry, policy));
}
