import type { Knex } from 'knex';
import { ENTITIES, type EntityName } from '../../model/entities.js';
import { EntityStage } from '../../store/entity-stage.js';
import { settleTables } from '../../store/settle.js';
import { lockTenantForWrite } from '../../store/tenants.js';
import type { EntityReport } from './report.js';

export type ApplyJob = {
  runId: number;
  entity: EntityName;
  tenant: string;
  connectionId: string;
  priority: number;
  /** A full pull: records of this connection missing from it become tombstones (within the threshold). */
  full: boolean;
  tombstoneThreshold: number;
  /** The admin approved deletions beyond the threshold for this run. */
  approved: boolean;
};

const MAX_ERRORS = 20;

/**
 * Applies one entity's staged pull in one transaction (so a killed run never leaves it half
 * applied): set checks (duplicates, references), connection priority, the hash-guarded merge, then
 * for a full pull the sweep of this connection's records that upstream no longer has, unless it
 * would tombstone more than the threshold, in which case the deletions wait for approval.
 */
export async function applyStaged(knex: Knex, job: ApplyJob): Promise<Omit<EntityReport, 'fetched'>> {
  const { report, clock } = await knex.transaction(async (trx) => {
    const ts = await lockTenantForWrite(trx, job.tenant);
    return { report: await applyWith(trx, job, ts), clock: ts };
  });
  await settleTables(knex, job.tenant, clock, [{ table: ENTITIES[job.entity].table, rows: report.created + report.updated + report.tombstoned }]);
  return report;
}

/** The apply itself, inside the run's transaction, with every write stamped `ts`. */
async function applyWith(trx: Knex.Transaction, job: ApplyJob, ts: Date): Promise<Omit<EntityReport, 'fetched'>> {
  const stage = new EntityStage(trx, job.entity, job.tenant, job.connectionId, ts);
  await stage.reset();
  await stage.addFromSyncStage(job.runId, job.entity);
  await stage.seal();
  const errors: string[] = [];
  const note = (m: string) => errors.length < MAX_ERRORS && errors.push(m);
  for (const d of await stage.duplicates()) note(`${job.entity}/${d.sid}: pulled twice; the first copy was kept`);
  for (const b of await stage.brokenReferences()) note(`${job.entity} #${b.line}: ${b.field} names "${b.id}", which is neither in the store nor in this pull; skipped`);
  const conflicts = await stage.yieldToHigherPriority(job.priority);
  for (const c of conflicts.slice(0, 5)) note(`${job.entity}/${c.sid} is owned by connection ${c.owner}, which has priority; not overwritten`);
  if (conflicts.length > 5) note(`…and ${conflicts.length - 5} more records owned by higher-priority connections`);

  const counts = await stage.apply();
  const report: Omit<EntityReport, 'fetched'> = { entity: job.entity, state: 'complete', ...counts, skipped: stage.rejected, errors };
  if (!job.full) return report;
  const preview = await stage.sweepPreview();
  const share = preview.of ? preview.wouldTombstone / preview.of : 0;
  if (preview.wouldTombstone > 0 && share > job.tombstoneThreshold && !job.approved) {
    note(
      `${job.entity}: upstream no longer has ${preview.wouldTombstone} of the ${preview.of} records this connection brought ` +
        `(${(share * 100).toFixed(1)}%, above the ${(job.tombstoneThreshold * 100).toFixed(0)}% safety threshold); nothing was deleted. ` +
        'If upstream really removed them, approve the run; if not, check the upstream system and its sharing settings.',
    );
    return { ...report, state: 'held', held: preview };
  }
  return { ...report, tombstoned: report.tombstoned + (await stage.sweep()) };
}
