import path from 'node:path';
import type { StoredRecord } from '../../src/api/serialize/shared.js';
import { loadDemo } from '../../src/demo/load-demo.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { APPLY_ORDER, ENTITIES } from '../../src/model/entities.js';
import type { Database } from '../../src/store/db.js';
import { FIXTURE_1P1 } from './csv-package.js';

export const FIXTURE_1P2 = path.resolve(import.meta.dirname, '../fixtures/oneroster-1p2');

/**
 * Stored records of three datasets (the 1.1 and 1.2 fixtures and a small demo district), keyed
 * `<tenant>/<entity>`, for tests that check every record's serialized shape.
 */
export async function sampleRecords(db: Database): Promise<Map<string, StoredRecord[]>> {
  const records = new Map<string, StoredRecord[]>();
  for (const [tenant, load] of [
    ['v11', () => importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'v11' })],
    ['v12', () => importCsv(db.knex, { location: FIXTURE_1P2, tenant: 'v12' })],
    ['demo', () => loadDemo(db.knex, 'demo', { students: 80, seed: 4 })],
  ] as const) {
    await load();
    for (const e of APPLY_ORDER) {
      const sql = `select sourced_id, status, date_last_modified, data from ${ENTITIES[e].table} where tenant_id = ? order by sourced_id`;
      records.set(`${tenant}/${e}`, (await db.knex.raw(sql, [tenant])).rows);
    }
  }
  return records;
}
