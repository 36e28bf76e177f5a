import type { EntityName } from '../../model/entities.js';

/** What happened to one entity in a sync run. */
export type EntityReport = {
  entity: EntityName;
  /** complete: pulled and applied; failed: the pull or apply failed (nothing of it applied); held: applied, but its deletions await approval. */
  state: 'complete' | 'failed' | 'held' | 'skipped';
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  tombstoned: number;
  /** Records not applied: invalid, duplicate, with unknown references, or owned by a higher-priority connection. */
  skipped: number;
  /** Admin-actionable messages (capped). */
  errors: string[];
  /** Notes from the connector that need no action to complete the run (sharing hints…). */
  notes?: string[];
  /** Set when held: how many records the sweep would tombstone, and of how many. */
  held?: { wouldTombstone: number; of: number };
};

export type SyncOutcome = 'success' | 'partial' | 'failed' | 'held';

export type SyncReport = {
  runId: number;
  connectionId: string;
  tenant: string;
  kind: 'full' | 'delta';
  since?: string;
  startedAt: string;
  finishedAt: string;
  outcome: SyncOutcome;
  entities: EntityReport[];
  /** Why the run as a whole failed (e.g. the package could not be fetched). */
  error?: string;
};

export const emptyEntityReport = (entity: EntityName): EntityReport => ({
  entity, state: 'skipped', fetched: 0, created: 0, updated: 0, unchanged: 0, tombstoned: 0, skipped: 0, errors: [],
});

/**
 * The run's outcome from its entities: every entity complete = success; some failed = partial
 * (or failed when none completed); any deletion awaiting approval = held.
 */
export function outcomeOf(entities: EntityReport[]): SyncOutcome {
  const tried = entities.filter((e) => e.state !== 'skipped');
  if (tried.length === 0) return 'failed';
  const failed = tried.filter((e) => e.state === 'failed').length;
  if (failed === tried.length) return 'failed';
  if (tried.some((e) => e.state === 'held')) return 'held';
  return failed ? 'partial' : 'success';
}

/** Text for admins, one line per entity. */
export function formatSyncReport(r: SyncReport): string {
  const lines = [`Sync run #${r.runId} of ${r.connectionId} (${r.kind}${r.since ? ` since ${r.since}` : ''}): ${r.outcome}`];
  if (r.error) lines.push(`  ${r.error}`);
  for (const e of r.entities) {
    if (e.state === 'skipped') continue;
    lines.push(
      `  ${e.entity.padEnd(17)} ${e.state.padEnd(8)} fetched ${e.fetched}, created ${e.created}, updated ${e.updated}, unchanged ${e.unchanged}, tombstoned ${e.tombstoned}, skipped ${e.skipped}`,
    );
    if (e.held) lines.push(`    held: would tombstone ${e.held.wouldTombstone} of ${e.held.of}; approve with: rollcall sync ${r.connectionId} --approve ${r.runId} (CSV packages: --allow-deletions)`);
    for (const m of e.errors) lines.push(`    ${m}`);
    for (const m of e.notes ?? []) lines.push(`    note: ${m}`);
  }
  return lines.join('\n');
}
