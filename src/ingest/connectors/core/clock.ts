import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as the reliability core sees it. Every wait (backoff, Retry-After, the request budget) goes
 * through `sleep`, so tests swap in a virtual clock and never really wait. Request timeouts are not
 * waits: they bound real I/O and use real timers.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(Math.max(0, ms), undefined, { signal }),
};
