import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { writeDemoCsv, type DemoOptions } from '../../../src/demo/generate.js';
import { importCsv } from '../../../src/ingest/csv/import.js';
import { APPLY_ORDER, ENTITIES, type EntityName } from '../../../src/model/entities.js';

/** One upstream record: what the simulated server keeps (canonical data, as Rollcall's store does). */
export type SimRecord = { sourcedId: string; status: 'active' | 'tobedeleted'; dateLastModified: Date; data: Record<string, any> };

export type SimDistrict = Record<EntityName, SimRecord[]>;

/** Upstream records were last modified long before any test runs, so a delta sees only what a test changes. */
export const DISTRICT_EPOCH = new Date('2025-01-06T08:00:00.000Z');

/**
 * A demo district as canonical records: the demo generator's OneRoster 1.1 CSV imported into a
 * scratch tenant of `knex` (the ordinary import path) and read back (the scratch tenant stays).
 * Served through Rollcall's own serializers, these give the exact wire JSON of each version.
 */
export async function buildDistrict(knex: Knex, options: DemoOptions & { tenant?: string }): Promise<SimDistrict> {
  const tenant = options.tenant ?? `sim-${Math.random().toString(36).slice(2, 10)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-sim-district-'));
  try {
    await writeDemoCsv(dir, options);
    const report = await importCsv(knex, { location: dir, tenant, source: 'simulator' });
    if (report.outcome !== 'succeeded') throw new Error(`the demo district did not import cleanly: ${JSON.stringify(report).slice(0, 500)}`);
    const out = {} as SimDistrict;
    for (const e of APPLY_ORDER) {
      const rows = (await knex.raw(`select sourced_id, status, data from ${ENTITIES[e].table} where tenant_id = ? order by sourced_id`, [tenant])).rows;
      out[e] = rows.map((r: { sourced_id: string; status: 'active' | 'tobedeleted'; data: Record<string, unknown> }) => ({
        sourcedId: r.sourced_id, status: r.status, dateLastModified: DISTRICT_EPOCH, data: r.data,
      }));
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A deep copy (each simulator mutates its own). */
export function cloneDistrict(d: SimDistrict): SimDistrict {
  return structuredClone(d);
}
