import { systemClock, type Clock } from './clock.js';
import { BudgetSchema, type BudgetConfig, type BudgetInput } from './config.js';

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
}

const EPSILON = 1e-9;

/**
 * A connection's request budget, shared by all its concurrent requests: a token bucket that holds
 * `burst` tokens and refills at (requests − burst) / perMs, so no window of `perMs` ever sees more
 * than `requests`. Waiters are served first come, first served, by one timer at a time; `pause`
 * holds everybody when the server says "slow down", and lets them go again one by one.
 */
export class RequestBudget {
  readonly config: BudgetConfig & { burst: number };
  private readonly ratePerMs: number;
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private readonly queue: Waiter[] = [];
  private pumping = false;

  constructor(input: BudgetInput, private readonly clock: Clock = systemClock) {
    const c = BudgetSchema.parse(input);
    const burst = c.burst ?? Math.max(1, Math.min(Math.floor(c.requests / 60), c.requests - 1));
    this.config = { ...c, burst };
    this.ratePerMs = (c.requests > burst ? c.requests - burst : c.requests) / c.perMs;
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolves when this request may go. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.queue.length === 0 && this.take(this.clock.now())) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => (signal?.removeEventListener('abort', onAbort), resolve()),
        reject,
      };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      void this.pump();
    });
  }

  /** Holds every request of the connection for `ms` (a 429, a Retry-After, X-RateLimit-Remaining: 0). */
  pause(ms: number): void {
    const now = this.clock.now();
    const until = now + Math.max(0, ms);
    if (until <= this.pausedUntil) return;
    this.refill(now);
    this.pausedUntil = until;
    this.tokens = Math.min(this.tokens, 1); // after the pause: one request, then the steady rate
    this.last = Math.max(this.last, until);
  }

  private refill(now: number): void {
    if (now <= this.last) return;
    this.tokens = Math.min(this.config.burst, this.tokens + (now - this.last) * this.ratePerMs);
    this.last = now;
  }

  private take(now: number): boolean {
    if (now < this.pausedUntil) return false;
    this.refill(now);
    if (this.tokens < 1 - EPSILON) return false;
    this.tokens -= 1;
    return true;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        if (this.take(now)) {
          this.queue.shift()!.resolve();
          continue;
        }
        const wait = now < this.pausedUntil ? this.pausedUntil - now : Math.ceil((1 - this.tokens) / this.ratePerMs);
        await this.clock.sleep(Math.max(1, wait));
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** One budget per connection id, so every client of a connection in this process draws on the same one. */
export class BudgetRegistry {
  private readonly budgets = new Map<string, RequestBudget>();

  constructor(private readonly clock: Clock = systemClock) {}

  for(connectionId: string, input: BudgetInput): RequestBudget {
    let budget = this.budgets.get(connectionId);
    if (!budget) this.budgets.set(connectionId, (budget = new RequestBudget(input, this.clock)));
    return budget;
  }

  forget(connectionId: string): void {
    this.budgets.delete(connectionId);
  }
}
