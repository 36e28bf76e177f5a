import type { Knex } from 'knex';
import { RollcallError } from '../../errors.js';
import type { SyncReport } from './report.js';

/** A running run whose heartbeat is older than this is taken as dead (its process was killed). */
export const STALE_AFTER_MS = 2 * 60_000;

export type RunRow = { id: number; connection_id: string; tenant_id: string; kind: 'full' | 'delta'; status: string; started_at: Date; since: Date | null };

/**
 * Starts a run, refusing while another run of the connection is alive. A run left "running" by a
 * killed process (stale heartbeat) is closed as failed first and its staged rows dropped: nothing of
 * it was half-applied, since each entity applies in one transaction.
 */
export async function startRun(knex: Knex, connectionId: string, tenant: string, kind: 'full' | 'delta', since: Date | undefined): Promise<RunRow> {
  const stale = await knex.raw(
    `update sync_runs set status = 'failed', finished_at = now(),
       report = jsonb_build_object('outcome', 'failed', 'note', 'interrupted: the process running it stopped')
     where connection_id = ? and status = 'running' and heartbeat_at < now() - (? * interval '1 millisecond') returning id`,
    [connectionId, STALE_AFTER_MS],
  );
  for (const r of stale.rows) await knex.raw('delete from sync_stage where run_id = ?', [r.id]);
  try {
    const res = await knex.raw(
      `insert into sync_runs (connection_id, tenant_id, kind, status, since) values (?, ?, ?, 'running', ?) returning id, connection_id, tenant_id, kind, status, started_at, since`,
      [connectionId, tenant, kind, since?.toISOString() ?? null],
    );
    const row = res.rows[0];
    return { ...row, id: Number(row.id) };
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw e;
    const running = (await knex.raw(`select id, started_at from sync_runs where connection_id = ? and status = 'running'`, [connectionId])).rows[0];
    throw new RollcallError('conflict', `A run of ${connectionId} is already in progress (run #${running?.id}, started ${new Date(running?.started_at).toISOString()})`);
  }
}

export async function heartbeat(knex: Knex, runId: number, progress: Record<string, unknown>): Promise<void> {
  await knex.raw('update sync_runs set heartbeat_at = now(), progress = ?::jsonb where id = ?', [JSON.stringify(progress), runId]);
}

export async function finishRun(knex: Knex, report: SyncReport): Promise<void> {
  await knex.raw(`update sync_runs set status = ?, finished_at = now(), report = ?::jsonb where id = ?`, [report.outcome, JSON.stringify(report), report.runId]);
  if (report.outcome !== 'held') await knex.raw('delete from sync_stage where run_id = ?', [report.runId]);
}

/** When the last run that brought every entity in completely started: the next delta asks for changes since then. */
export async function lastCompleteStart(knex: Knex, connectionId: string): Promise<Date | undefined> {
  const row = (await knex.raw(`select max(started_at) as at from sync_runs where connection_id = ? and status = 'success'`, [connectionId])).rows[0];
  return row?.at ? new Date(row.at) : undefined;
}
