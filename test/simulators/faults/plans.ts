import type { Fault } from './faults.js';

/** A fault for the requests that match `when`, the next `times` of them (default: all). */
export type FaultPlanOf<Req> = { fault: Fault | ((req: Req) => Fault); times?: number; when?: (req: Req) => boolean };

/** Fault plans by key (a route, an endpoint, or `*`), counted down as requests take them: shared by every simulator. */
export class FaultPlans<Req> {
  private readonly plans = new Map<string, Array<FaultPlanOf<Req> & { left: number }>>();

  add(key: string, plan: FaultPlanOf<Req> | Fault): void {
    const p: FaultPlanOf<Req> = 'kind' in plan || typeof plan === 'function' ? { fault: plan as Fault } : plan;
    const list = this.plans.get(key) ?? [];
    list.push({ ...p, left: p.times ?? Number.POSITIVE_INFINITY });
    this.plans.set(key, list);
  }

  /** The fault of the first plan, under the first key that has one, that this request takes; undefined when none. */
  take(keys: readonly string[], req: Req): Fault | undefined {
    for (const key of keys) {
      const plan = this.plans.get(key)?.find((p) => p.left > 0 && (!p.when || p.when(req)));
      if (!plan) continue;
      plan.left--;
      return typeof plan.fault === 'function' ? plan.fault(req) : plan.fault;
    }
    return undefined;
  }

  clear(): void {
    this.plans.clear();
  }
}
