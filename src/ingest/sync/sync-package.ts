import type { Knex } from 'knex';
import { importCsv } from '../csv/import.js';
import { CSV_FILES } from '../csv/files/index.js';
import { formatProblem } from '../csv/problems.js';
import type { ImportReport } from '../csv/report.js';
import type { Connection } from '../connections/connections.js';
import type { ConnectorContext, PackageConnector } from '../connectors/types.js';
import { emptyEntityReport, type EntityReport } from './report.js';

/**
 * A package connector's run: fetch the newest OneRoster CSV package and import it through the
 * same path as `rollcall import`, owned by the connection (bulk files sweep only its records).
 */
export async function syncPackage(
  knex: Knex, conn: Connection, connector: PackageConnector, ctx: ConnectorContext, allowDeletions: boolean,
): Promise<EntityReport[]> {
  const pkg = await connector.fetchPackage(ctx);
  try {
    const report = await importCsv(knex, {
      location: pkg.location, tenant: conn.tenant, source: conn.id, tombstoneThreshold: allowDeletions ? undefined : conn.tombstoneThreshold,
    });
    return entityReports(report);
  } finally {
    await pkg.cleanup();
  }
}

/** The entity each CSV file writes (roles.csv and userProfiles.csv fold into users). */
const CSV_TARGET = new Map(CSV_FILES.map((f) => [f.file, f.target === 'roles' || f.target === 'userProfiles' ? 'users' : f.target] as const));

function entityReports(r: ImportReport): EntityReport[] {
  const out: EntityReport[] = [];
  for (const f of r.files) {
    const entity = CSV_TARGET.get(f.file);
    if (!entity || out.some((e) => e.entity === entity)) continue;
    const failed = f.outcome === 'failed' || f.outcome === 'missing';
    out.push({
      ...emptyEntityReport(entity), state: failed ? 'failed' : f.held ? 'held' : 'complete', held: f.held, fetched: f.rows, created: f.created, updated: f.updated,
      unchanged: f.unchanged, tombstoned: f.tombstoned, skipped: f.skipped, errors: failed ? [`${f.file}: ${f.outcome}`] : [],
    });
  }
  for (const p of r.problems.slice(0, 20)) out.find((e) => e.entity === CSV_TARGET.get(p.file))?.errors.push(formatProblem(p));
  return out;
}
