import type { Knex } from 'knex';
import { canonicalProblems } from '../../model/canonical.js';
import { ENTITIES, type EntityName } from '../../model/entities.js';
import { contentHash } from '../../store/content-hash.js';
import type { ConnectorContext, Connector } from '../connectors/types.js';

const MAX_ERRORS = 20;

export type PullResult = { fetched: number; invalid: number; errors: string[] };

/**
 * Pulls one entity from the connector into `sync_stage` (the run's own rows): each record is
 * checked against the canonical rules (an invalid one is skipped and named), hashed, and its
 * references read. A pull that throws leaves its rows staged but never applied as a set.
 */
export async function stagePull(
  knex: Knex, runId: number, connector: Connector, ctx: ConnectorContext, entity: EntityName, since: Date | undefined,
  onBatch: (fetched: number) => Promise<void>,
): Promise<PullResult> {
  const def = ENTITIES[entity];
  const result: PullResult = { fetched: 0, invalid: 0, errors: [] };
  for await (const batch of connector.pull(ctx, entity, { since })) {
    const rows: string[] = [];
    for (const rec of batch) {
      result.fetched++;
      const problems = !rec.sourcedId
        ? ['sourcedId: is missing']
        : rec.problem
          ? [rec.problem]
          : rec.status === 'tobedeleted'
            ? [] // a tombstone needs only its identity: the stored record keeps its data
            : canonicalProblems(entity, rec.data);
      if (problems.length) {
        result.invalid++;
        if (result.errors.length < MAX_ERRORS) result.errors.push(`${entity}/${rec.sourcedId || '(no id)'} skipped: ${problems.slice(0, 3).join('; ')}`);
        continue;
      }
      const json = JSON.stringify(rec.data ?? {});
      const hash = contentHash(json);
      const refs = rec.status === 'tobedeleted' ? def.references.map(() => []) : def.references.map((r) => r.ids(rec.data));
      rows.push(`{"sid":${JSON.stringify(rec.sourcedId)},"status":"${rec.status === 'tobedeleted' ? 'tobedeleted' : 'active'}","hash":"${hash}","data_json":${json},"refs":${JSON.stringify(refs)}}`);
    }
    if (rows.length) {
      await knex.raw(
        `insert into sync_stage (run_id, entity, sid, status, hash, data_json, refs)
         select ?, ?, r.sid, r.status, r.hash, r.data_json, r.refs from json_to_recordset(?::json) as r(sid text, status text, hash text, data_json json, refs json)`,
        [runId, entity, `[${rows.join(',')}]`],
      );
    }
    await onBatch(result.fetched);
  }
  return result;
}
