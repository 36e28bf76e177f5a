import type { Knex } from 'knex';
import { RollcallError } from '../../errors.js';
import { getConnection } from '../connections/connections.js';
import { applyStaged } from './apply-staged.js';
import { adminMessage } from './admin-message.js';
import { outcomeOf, type SyncReport } from './report.js';

/**
 * Approves a held run: the deletions its full pull found beyond the safety threshold are applied
 * now, from the run's staged pull. Only the connection's newest run can be approved (a newer run
 * has newer data).
 */
export async function approveRun(knex: Knex, connectionId: string, runId: number): Promise<SyncReport> {
  const conn = await getConnection(knex, connectionId);
  const row = (await knex.raw(`select id, status, report from sync_runs where connection_id = ? order by id desc limit 1`, [connectionId])).rows[0];
  if (!row || Number(row.id) !== runId) throw new RollcallError('invalid_input', `Run #${runId} is not the newest run of ${connectionId}; only the newest held run can be approved`);
  if (row.status !== 'held') throw new RollcallError('invalid_input', `Run #${runId} is ${row.status}, not held: there is nothing to approve`);
  const report = row.report as SyncReport;
  if ((await knex.raw(`select count(*)::int as n from sync_stage where run_id = ?`, [runId])).rows[0].n === 0) {
    throw new RollcallError('invalid_input', `Run #${runId} imported a CSV package, which is not kept: run the sync again allowing deletions (rollcall sync ${connectionId} --allow-deletions)`);
  }
  for (const [i, e] of report.entities.entries()) {
    if (e.state !== 'held') continue;
    try {
      const applied = await applyStaged(knex, {
        runId, entity: e.entity, tenant: conn.tenant, connectionId, priority: conn.priority, full: true, tombstoneThreshold: conn.tombstoneThreshold, approved: true,
      });
      // The records were applied when the run was held; the approval adds the sweep's tombstones.
      report.entities[i] = { ...e, state: applied.state, held: undefined, tombstoned: e.tombstoned + applied.tombstoned, errors: [...e.errors, 'deletions approved by an admin'] };
    } catch (err) {
      report.entities[i] = { ...e, state: 'failed', errors: [...e.errors, `approval failed: ${adminMessage(err)}`] };
    }
  }
  report.outcome = outcomeOf(report.entities);
  await knex.raw(`update sync_runs set status = ?, report = ?::jsonb where id = ?`, [report.outcome, JSON.stringify(report), runId]);
  if (report.outcome !== 'held') await knex.raw('delete from sync_stage where run_id = ?', [runId]);
  return report;
}
