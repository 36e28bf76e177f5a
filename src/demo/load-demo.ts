import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { importCsv } from '../ingest/csv/import.js';
import type { ImportReport } from '../ingest/csv/report.js';
import { writeDemoCsv, type DemoOptions } from './generate.js';

/** Generates the demo district as OneRoster CSV and imports it through the ordinary import path. */
export async function loadDemo(knex: Knex, tenant: string, options: DemoOptions, onProgress?: (file: string, rows: number) => void): Promise<ImportReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-demo-'));
  try {
    await writeDemoCsv(dir, options);
    return await importCsv(knex, { location: dir, tenant, source: 'demo', onProgress });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
