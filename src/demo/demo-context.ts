import path from 'node:path';
import { CsvFile } from './csv-file.js';
import { CSV_HEADERS, type DemoFileName } from './csv-headers.js';
import type { DistrictPlan } from './district-plan.js';
import type { Families } from './families.js';
import type { NamePools } from './name-pools.js';

/** Everything the file writers share: where to write, the seed, and the district decided up front. */
export type DemoContext = {
  dir: string;
  seed: number;
  plan: DistrictPlan;
  pools: NamePools;
  families: Families;
};

export function openCsv(ctx: DemoContext, name: DemoFileName): Promise<CsvFile> {
  return CsvFile.create(path.join(ctx.dir, name), CSV_HEADERS[name]);
}
