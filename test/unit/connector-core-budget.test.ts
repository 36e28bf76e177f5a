import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BudgetRegistry, RequestBudget } from '../../src/ingest/connectors/core/budget.js';
import { FakeClock } from '../simulators/faults/fake-clock.js';

/** Starts `n` requests at once and returns the virtual times at which each was let through, in grant order. */
async function grants(budget: RequestBudget, clock: FakeClock, n: number): Promise<number[]> {
  const start = clock.now();
  const times: number[] = [];
  await Promise.all(Array.from({ length: n }, () => budget.acquire().then(() => times.push(clock.now() - start))));
  return times;
}

/** The most requests in any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('request budget (token bucket)', () => {
  test('Aeries-like 60/min: one at once, then about one a second; never more than 60 in any minute', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ requests: 60, perMs: 60_000 }, clock);
    const times = await grants(budget, clock, 150);
    assert.equal(times[0], 0);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps.every((g) => g >= 1000 && g <= 1020), `gaps ${Math.min(...gaps)}..${Math.max(...gaps)}`);
    assert.ok(busiestWindow(times, 60_000) <= 60);
  });

  test('Clever-like 1,200/min: a burst of 20 goes at once, the rest at the steady rate, at most 1,200 a minute', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ requests: 1200, perMs: 60_000 }, clock);
    assert.equal(budget.config.burst, 20);
    const times = await grants(budget, clock, 2500);
    assert.equal(times.filter((t) => t === 0).length, 20);
    assert.ok(busiestWindow(times, 60_000) <= 1200, `busiest minute ${busiestWindow(times, 60_000)}`);
    assert.ok(times[2499] < 130_000, 'and the steady rate is close to the limit');
  });

  test('requests are served first come, first served', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ requests: 10, perMs: 10_000, burst: 1 }, clock);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => budget.acquire().then(() => order.push(i))));
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  test('unused capacity refills up to the burst, no further', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ requests: 60, perMs: 60_000, burst: 5 }, clock);
    await grants(budget, clock, 5);
    clock.advance(3_600_000);
    const times = await grants(budget, clock, 7);
    assert.deepEqual(times.slice(0, 5), [0, 0, 0, 0, 0]);
    assert.ok(times[5] > 0);
  });

  test('pause holds every request of the connection, then lets them go one by one', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ requests: 600, perMs: 60_000, burst: 10 }, clock);
    budget.pause(30_000);
    const times = await grants(budget, clock, 4);
    assert.equal(times[0], 30_000);
    assert.ok(times.slice(1).every((t, i) => t > times[i]), 'spaced after the pause, not all at once');
  });

  test('an aborted wait leaves the queue', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ requests: 2, perMs: 60_000, burst: 1 }, clock);
    await budget.acquire();
    const ac = new AbortController();
    const waiting = budget.acquire(ac.signal);
    ac.abort(new Error('cancelled'));
    await assert.rejects(waiting, /cancelled/);
    await budget.acquire(); // the next one still gets through
  });

  test('the registry hands every client of a connection the same budget', () => {
    const registry = new BudgetRegistry(new FakeClock());
    assert.equal(registry.for('c1', { requests: 60 }), registry.for('c1', { requests: 60 }));
    assert.notEqual(registry.for('c1', { requests: 60 }), registry.for('c2', { requests: 60 }));
  });
});
