import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RollcallError } from '../../errors.js';

/**
 * Requests per minute per API client, counted in this process (rate-limiter-flexible). Each
 * client's own limit overrides the default; a client over its limit gets 429 server_busy with
 * Retry-After in seconds.
 */
export class ClientRateLimits {
  private readonly limiters = new Map<number, RateLimiterMemory>();

  constructor(private readonly defaultPerMinute: number) {}

  async consume(clientId: string, perMinute: number | null): Promise<void> {
    const points = perMinute ?? this.defaultPerMinute;
    let limiter = this.limiters.get(points);
    if (!limiter) this.limiters.set(points, (limiter = new RateLimiterMemory({ points, duration: 60 })));
    try {
      await limiter.consume(clientId);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      const retryAfterSeconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      throw new RollcallError('busy', `Too many requests: this client may make ${points} requests a minute; retry after ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
  }
}
