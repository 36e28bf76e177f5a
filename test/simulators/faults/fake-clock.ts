import type { Clock } from '../../../src/ingest/connectors/core/clock.js';

interface Timer {
  due: number;
  seq: number;
  resolve: () => void;
}

/**
 * Virtual time for the reliability core: `sleep` never really waits. Pending sleeps fire one at a
 * time, earliest first, each on its own turn of the event loop, and the clock jumps to their due
 * time (it never goes back), so a run with minutes of backoff takes milliseconds. Real I/O goes on
 * in real time meanwhile. `sleeps` records every requested wait, for assertions.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private scheduled = false;

  /** Starts on a whole second, so HTTP-dates (second resolution) round-trip exactly. */
  constructor(start = Date.UTC(2025, 0, 6, 8, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { due: this.t + Math.max(0, ms), seq: this.seq++, resolve: () => (signal?.removeEventListener('abort', onAbort), resolve()) };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  /** Moves time forward by hand (timers still fire through `sleep`'s own turns). */
  advance(ms: number): void {
    this.t += ms;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      this.t = Math.max(this.t, next.due);
      next.resolve();
      if (this.timers.length > 0) this.schedule();
    });
  }
}

/** A `Random` that returns the given values in turn, cycling. */
export function sequenceRandom(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

/** A small deterministic PRNG (mulberry32) for property-style checks. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
