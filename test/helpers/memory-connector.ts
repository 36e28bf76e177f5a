import { z } from 'zod';
import type { Connector, PulledRecord } from '../../src/ingest/connectors/types.js';
import type { EntityName } from '../../src/model/entities.js';

/**
 * A connector over an in-memory upstream, for testing the sync engine's own rules (staging,
 * diffing, sweeps, thresholds, priority, run bookkeeping) apart from any vendor's wire format.
 * Vendor connectors are tested against simulators that speak their wire format.
 */
export type MemoryUpstream = {
  records: Partial<Record<EntityName, PulledRecord[]>>;
  /** Throw after yielding this many records of the entity (a failing page in the middle of a pull). */
  failAfter?: Partial<Record<EntityName, number>>;
  /** The `since` each pull was asked for. */
  sinceSeen: Array<{ entity: EntityName; since?: Date }>;
};

export function memoryConnector(provider: string, upstream: MemoryUpstream): Connector<{ label?: string }, { token?: string }> {
  return {
    provider,
    label: 'Memory',
    configSchema: z.object({ label: z.string().optional() }),
    credentialsSchema: z.object({ token: z.string().optional() }),
    entities: ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments', 'demographics'],
    supportsDelta: true,
    async test() {
      return (Object.keys(upstream.records) as EntityName[]).map((entity) => ({ entity, ok: true, message: `${upstream.records[entity]!.length} records` }));
    },
    async *pull(_ctx, entity, { since }) {
      upstream.sinceSeen.push({ entity, since });
      const all = upstream.records[entity] ?? [];
      const failAt = upstream.failAfter?.[entity];
      for (let i = 0; i < all.length; i += 2) {
        if (failAt !== undefined && i >= failAt) {
          throw Object.assign(new Error('upstream failed'), { adminMessage: `page ${i / 2 + 1} of ${entity} failed after 3 attempts (503 from upstream)` });
        }
        yield all.slice(i, i + 2).map((r) => structuredClone(r));
      }
    },
  };
}
