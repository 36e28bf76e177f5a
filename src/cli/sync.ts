import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import pino from 'pino';
import type { Config } from '../config.js';
import { registerShippedConnectors } from '../ingest/connectors/all.js';
import { approveRun } from '../ingest/sync/approve-run.js';
import { formatSyncReport, type SyncReport } from '../ingest/sync/report.js';
import { runSync } from '../ingest/sync/run-sync.js';
import type { Progress } from '../ingest/sync/sync-records.js';
import { createLogger } from '../log.js';
import { keyRingOf } from './connections.js';
import { printJson } from './output.js';
import { withStore } from './with-store.js';

const runId = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a run id is a whole number');
  return n;
};

/** Exit codes: 0 success, 2 partial or held (something needs an admin), 1 failed. */
const exitCodeOf = (r: SyncReport) => (r.outcome === 'success' ? 0 : r.outcome === 'failed' ? 1 : 2);

/** `rollcall sync <connection>`: one run now, with a progress bar per entity on a terminal. */
export function syncCommand(config: () => Config): Command {
  registerShippedConnectors();
  return new Command('sync')
    .description('run a sync of a connection now (full, or --delta), or approve a held run')
    .argument('<connection>', 'connection id')
    .option('--delta', 'only what changed upstream since the last successful run')
    .option('--approve <run>', 'apply the deletions a held run found beyond the safety threshold', runId)
    .option('--allow-deletions', 'CSV package connections: apply the package\'s deletions even beyond the safety threshold')
    .option('--json', 'print the report as JSON')
    .action(async (id: string, o: { delta?: boolean; approve?: number; allowDeletions?: boolean; json?: boolean }) => {
      const c = config();
      const log = createLogger(c.logLevel === 'info' ? 'warn' : c.logLevel, pino.destination(2));
      const report = await withStore(c, 'sync', async (knex) => {
        if (o.approve) return approveRun(knex, id, o.approve);
        const bars = process.stderr.isTTY && !o.json ? progressBars() : undefined;
        try {
          return await runSync({ knex, keyRing: keyRingOf(c), log }, id, { kind: o.delta ? 'delta' : 'full', allowDeletions: o.allowDeletions, onProgress: bars?.update });
        } finally {
          bars?.stop();
        }
      });
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatSyncReport(report)}\n`);
      process.exitCode = exitCodeOf(report);
    });
}

function progressBars() {
  const multi = new cliProgress.MultiBar({ format: ' {entity} | {state} | {value} records', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    update(p: Progress) {
      for (const [entity, { fetched, state }] of Object.entries(p)) {
        let bar = bars.get(entity);
        if (!bar) bars.set(entity, (bar = multi.create(0, 0, { entity: entity.padEnd(17), state })));
        bar.update(fetched, { entity: entity.padEnd(17), state: state.padEnd(9) });
      }
    },
    stop: () => multi.stop(),
  };
}
