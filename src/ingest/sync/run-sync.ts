import type { Knex } from 'knex';
import type { KeyRing } from '../../crypto/key-ring.js';
import type { Logger } from '../../log.js';
import { getConnection, openCredentials } from '../connections/connections.js';
import { connectorFor } from '../connectors/registry.js';
import type { ConnectorContext } from '../connectors/types.js';
import { adminMessage } from './admin-message.js';
import { outcomeOf, type EntityReport, type SyncReport } from './report.js';
import { finishRun, heartbeat, lastCompleteStart, startRun } from './runs.js';
import { syncPackage } from './sync-package.js';
import { syncRecords, type Progress } from './sync-records.js';

export type SyncDeps = { knex: Knex; keyRing?: KeyRing; log: Logger };
export type SyncOptions = {
  /** delta: only what changed upstream since the last successful run (full when there is none, or the connector cannot). */
  kind?: 'full' | 'delta';
  /** How many entities are pulled at once. */
  parallel?: number;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** Package connectors: apply the package's deletions even beyond the safety threshold (an admin's decision). */
  allowDeletions?: boolean;
};

/** Deltas ask upstream for a little more than strictly needed: clocks differ, and unchanged records cost nothing. */
const DELTA_OVERLAP_MS = 5 * 60_000;

/**
 * One sync run of a connection, never two at once: credentials opened for the run only, the
 * connector's pull staged and applied (or its package imported), progress and a heartbeat kept in
 * `sync_runs`, and a report that says per entity what was fetched, created, updated, unchanged,
 * tombstoned and skipped, with admin-actionable errors.
 */
export async function runSync(deps: SyncDeps, connectionId: string, opts: SyncOptions = {}): Promise<SyncReport> {
  const conn = await getConnection(deps.knex, connectionId);
  const connector = connectorFor(conn.provider);
  const credentials = await openCredentials(deps.knex, conn.id, deps.keyRing);
  const deltas = connector.kind !== 'package' && connector.supportsDelta;
  const last = opts.kind === 'delta' && deltas ? await lastCompleteStart(deps.knex, conn.id) : undefined;
  const since = last && new Date(last.getTime() - DELTA_OVERLAP_MS);
  const kind = since ? 'delta' : 'full';
  const run = await startRun(deps.knex, conn.id, conn.tenant, kind, since);
  const log = deps.log.child({ connection: conn.id, run: run.id });
  const notes = new Map<string, Set<string>>();
  const ctx: ConnectorContext = {
    connectionId: conn.id, tenant: conn.tenant, config: conn.config, credentials, log, signal: opts.signal ?? new AbortController().signal, runCache: new Map(),
    note: (entity, message) => {
      if (!notes.has(entity)) notes.set(entity, new Set());
      notes.get(entity)!.add(message);
    },
  };
  let lastBeat = 0;
  const report = async (progress: Progress, force = false) => {
    opts.onProgress?.(progress);
    if (!force && Date.now() - lastBeat < 2000) return;
    lastBeat = Date.now();
    await heartbeat(deps.knex, run.id, progress);
  };

  let entities: EntityReport[];
  let failure: string | undefined;
  try {
    entities =
      connector.kind === 'package'
        ? await syncPackage(deps.knex, conn, connector, ctx, opts.allowDeletions === true)
        : await syncRecords(deps.knex, log, conn, connector, ctx, { id: run.id, kind, since }, opts.parallel ?? 3, report);
  } catch (err) {
    log.error({ err }, 'sync run failed');
    failure = adminMessage(err);
    entities = [];
  }
  for (const e of entities) if (notes.has(e.entity)) e.notes = [...notes.get(e.entity)!].slice(0, 20);
  const result: SyncReport = {
    runId: run.id, connectionId: conn.id, tenant: conn.tenant, kind, since: since?.toISOString(), startedAt: new Date(run.started_at).toISOString(),
    finishedAt: new Date().toISOString(), outcome: failure ? 'failed' : outcomeOf(entities), entities, ...(failure ? { error: failure } : {}),
  };
  await finishRun(deps.knex, result);
  log.info({ outcome: result.outcome }, 'sync run finished');
  return result;
}
