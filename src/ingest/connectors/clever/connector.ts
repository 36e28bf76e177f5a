import type { EntityName } from '../../../model/entities.js';
import { adminMessage } from '../../sync/admin-message.js';
import { BudgetRegistry } from '../core/index.js';
import type { Connector, ProbeResult } from '../types.js';
import { CleverConfig, CleverCredentials } from './config.js';
import { pullDelta } from './events.js';
import { pullFull } from './full.js';
import { CleverSession, type CleverDeps } from './session.js';

const ENTITIES: readonly EntityName[] = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'];

/** What "Test connection" reads for each entity (one record each). Enrollments come from sections. */
const PROBES: Array<[EntityName, string]> = [
  ['orgs', 'schools'], ['academicSessions', 'terms'], ['courses', 'courses'], ['classes', 'sections'], ['users', 'users'],
];

/**
 * Clever API v3.0 (district apps): districts and schools, terms, courses, sections (classes, and
 * enrollments from their students and teachers), users by role, and deltas from `/events`. Every
 * request goes through the connector core with the Clever profile (budget, retries, X-RateLimit-Reset).
 * `deps` are for tests (a virtual clock); the shipped connector uses none.
 */
export function createCleverConnector(deps: CleverDeps = {}): Connector<CleverConfig, CleverCredentials> {
  const budgets = new BudgetRegistry(deps.clock);
  return {
    provider: 'clever',
    label: 'Clever',
    configSchema: CleverConfig,
    credentialsSchema: CleverCredentials,
    entities: ENTITIES,
    supportsDelta: true,

    async test(ctx): Promise<ProbeResult[]> {
      let s: CleverSession;
      try {
        s = new CleverSession(ctx, deps, budgets);
        await s.authorize();
      } catch (err) {
        const message = adminMessage(err);
        return ENTITIES.map((entity) => ({ entity, ok: false, message }));
      }
      const probes: ProbeResult[] = [];
      for (const [entity, path] of PROBES) {
        try {
          const res = await s.http.getJson<{ data?: unknown[] }>(path, { query: { limit: 1 }, entity: path, signal: ctx.signal });
          const n = Array.isArray(res.data?.data) ? res.data.data.length : 0;
          probes.push({ entity, ok: true, message: `Clever /v3.0/${path} readable${n ? '' : ' (empty)'}` });
        } catch (err) {
          probes.push({ entity, ok: false, message: adminMessage(err) });
        }
      }
      const sections = probes.find((p) => p.entity === 'classes')!;
      probes.push({ entity: 'enrollments', ok: sections.ok, message: sections.ok ? 'from the students and teachers of Clever sections' : sections.message });
      return probes;
    },

    pull(ctx, entity, { since }) {
      const s = CleverSession.of(ctx, deps, budgets);
      return since ? pullDelta(s, ctx, entity, since) : pullFull(s, ctx, entity);
    },
  };
}

export const cleverConnector = createCleverConnector();
