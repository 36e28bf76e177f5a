import PgBoss from 'pg-boss';
import type { KeyRing } from '../../crypto/key-ring.js';
import type { Logger } from '../../log.js';
import type { Database } from '../../store/db.js';
import { listConnections } from '../connections/connections.js';
import { runSync } from '../sync/run-sync.js';

type SyncJob = { kind: 'full' | 'delta' };

const queueOf = (connectionId: string) => `sync.${connectionId}`;

/**
 * Runs syncs on each connection's schedule and on demand, with pg-boss over the store's own
 * database (Postgres, or the embedded PGlite through the same connection pool). Each connection
 * has its own queue with the "stately" policy, so at most one of its runs is queued and one active;
 * the engine's own lock (sync_runs) guards the same across processes.
 */
export class SyncScheduler {
  private readonly working = new Set<string>();
  private timer?: NodeJS.Timeout;

  private constructor(
    private readonly boss: PgBoss,
    private readonly deps: { db: Database; keyRing?: KeyRing; log: Logger },
  ) {}

  static async start(deps: { db: Database; keyRing?: KeyRing; log: Logger }, opts: { reconcileEveryMs?: number } = {}): Promise<SyncScheduler> {
    const boss = new PgBoss({ db: { executeSql: deps.db.executeSql }, schema: 'pgboss', supervise: true, schedule: true });
    boss.on('error', (err) => deps.log.error({ err }, 'scheduler error'));
    await boss.start();
    const s = new SyncScheduler(boss, deps);
    await s.reconcile();
    s.timer = setInterval(() => void s.reconcile().catch((err) => deps.log.error({ err }, 'scheduler reconcile failed')), opts.reconcileEveryMs ?? 60_000);
    s.timer.unref();
    return s;
  }

  /** Brings queues, workers and cron schedules in line with the saved connections. */
  async reconcile(): Promise<void> {
    for (const conn of await listConnections(this.deps.db.knex)) {
      const queue = queueOf(conn.id);
      if (!this.working.has(conn.id)) {
        await this.boss.createQueue(queue, { name: queue, policy: 'stately', retryLimit: 0 });
        await this.boss.work<SyncJob>(queue, { pollingIntervalSeconds: 2 }, async ([job]) => {
          if (job) await this.run(conn.id, job.data.kind);
        });
        this.working.add(conn.id);
      }
      if (conn.schedule) await this.boss.schedule(queue, conn.schedule, { kind: 'delta' }, { tz: 'UTC' });
      else await this.boss.unschedule(queue);
    }
  }

  /** Queues a run now; returns false when one is already queued. */
  async runNow(connectionId: string, kind: 'full' | 'delta' = 'full'): Promise<boolean> {
    await this.reconcile();
    return (await this.boss.send(queueOf(connectionId), { kind })) !== null;
  }

  async schedules(): Promise<Array<{ name: string; cron: string }>> {
    return (await this.boss.getSchedules()).map((s) => ({ name: s.name, cron: s.cron }));
  }

  private async run(connectionId: string, kind: SyncJob['kind']): Promise<void> {
    try {
      const report = await runSync({ knex: this.deps.db.knex, keyRing: this.deps.keyRing, log: this.deps.log }, connectionId, { kind });
      this.deps.log.info({ connection: connectionId, run: report.runId, outcome: report.outcome }, 'scheduled sync finished');
    } catch (err) {
      this.deps.log.warn({ connection: connectionId, err }, 'scheduled sync did not run');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
