import type { Knex } from 'knex';
import type { Logger } from '../../log.js';
import { APPLY_ORDER, type EntityName } from '../../model/entities.js';
import type { Connection } from '../connections/connections.js';
import type { Connector, ConnectorContext } from '../connectors/types.js';
import { applyStaged } from './apply-staged.js';
import { adminMessage } from './admin-message.js';
import { emptyEntityReport, type EntityReport } from './report.js';
import { stagePull } from './stage-pull.js';

export type Progress = Record<string, { fetched: number; state: string }>;

/**
 * A records connector's run: pull every entity (a few at a time) into the run's stage, then apply
 * them in reference order, each in its own transaction. An entity whose pull failed is neither
 * applied nor swept, so a bad upstream day never erases good data; the others still apply.
 */
export async function syncRecords(
  knex: Knex, log: Logger, conn: Connection, connector: Connector, ctx: ConnectorContext,
  run: { id: number; kind: 'full' | 'delta'; since?: Date }, parallel: number, report: (p: Progress, force?: boolean) => Promise<void>,
): Promise<EntityReport[]> {
  const entities = APPLY_ORDER.filter((e) => connector.entities.includes(e));
  const reports = new Map<EntityName, EntityReport>(entities.map((e) => [e, emptyEntityReport(e)]));
  const progress: Progress = Object.fromEntries(entities.map((e) => [e, { fetched: 0, state: 'waiting' }]));
  const fail = (entity: EntityName, message: string) => {
    const r = reports.get(entity)!;
    reports.set(entity, { ...r, state: 'failed', errors: [...r.errors, message] });
    progress[entity] = { fetched: r.fetched, state: 'failed' };
  };

  const pulled = new Set<EntityName>();
  const queue = [...entities];
  const worker = async () => {
    for (let entity = queue.shift(); entity; entity = queue.shift()) {
      const e = entity;
      progress[e] = { fetched: 0, state: 'pulling' };
      try {
        const res = await stagePull(knex, run.id, connector, ctx, e, run.since, (n) => {
          progress[e] = { fetched: n, state: 'pulling' };
          return report(progress);
        });
        reports.set(e, { ...reports.get(e)!, fetched: res.fetched, skipped: res.invalid, errors: res.errors });
        pulled.add(e);
        progress[e] = { fetched: res.fetched, state: 'pulled' };
      } catch (err) {
        fail(e, `${e}: ${adminMessage(err)}`);
        log.warn({ entity: e, err }, 'pull failed');
      }
      await report(progress, true);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, entities.length)) }, worker));

  for (const entity of entities) {
    if (!pulled.has(entity)) continue;
    const r = reports.get(entity)!;
    progress[entity] = { fetched: r.fetched, state: 'applying' };
    await report(progress, true);
    try {
      const applied = await applyStaged(knex, {
        runId: run.id, entity, tenant: conn.tenant, connectionId: conn.id, priority: conn.priority, full: run.kind === 'full',
        tombstoneThreshold: conn.tombstoneThreshold, approved: false,
      });
      reports.set(entity, { ...applied, fetched: r.fetched, skipped: r.skipped + applied.skipped, errors: [...r.errors, ...applied.errors] });
      progress[entity] = { fetched: r.fetched, state: applied.state };
    } catch (err) {
      fail(entity, `${entity}: could not be applied (${adminMessage(err)})`);
      log.error({ entity, err }, 'apply failed');
    }
    await report(progress, true);
  }
  return entities.map((e) => reports.get(e)!);
}
