import express, { type Request } from 'express';
import { z } from 'zod';
import { parseInput } from '../../auth/input.js';
import { RollcallError } from '../../errors.js';
import { createConnection, getConnection, listConnections, type Connection } from '../../ingest/connections/connections.js';
import { TEMPLATES } from '../../ingest/connections/templates.js';
import { testConnection } from '../../ingest/connections/test-connection.js';
import { listConnectors } from '../../ingest/connectors/registry.js';
import { approveRun } from '../../ingest/sync/approve-run.js';
import { currentAdmin } from './auth.js';
import type { AdminDeps } from './deps.js';

const CreateBody = z.strictObject({
  name: z.string(),
  provider: z.string(),
  id: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  credentials: z.record(z.string(), z.unknown()).optional(),
  priority: z.number().optional(),
  schedule: z.string().nullable().optional(),
  tombstoneThreshold: z.number().optional(),
});
const RunBody = z.strictObject({ kind: z.enum(['full', 'delta']).default('full') });

/** /tenants/:tenant/connections… (tenant checked by tenantGuard): saved connections, Test connection, runs. Credentials never leave. */
export function connectionsRouter({ db, log, keyRing, scheduler }: AdminDeps): express.Router {
  const router = express.Router({ mergeParams: true });
  const knex = db.knex;
  const tenantOf = (req: Request) => String(req.params.tenant);
  const connectionOf = async (req: Request): Promise<Connection> => {
    const id = String(req.params.connectionId);
    const conn = await getConnection(knex, id).catch(() => undefined);
    if (!conn || conn.tenant !== tenantOf(req)) throw new RollcallError('not_found', `no connection "${id}" in tenant "${tenantOf(req)}"`);
    return conn;
  };

  router.get('/', async (req, res) => {
    res.json({ connections: await listConnections(knex, tenantOf(req)) });
  });

  router.post('/', async (req, res) => {
    const body = parseInput(CreateBody, req.body, 'request body');
    const conn = await createConnection(knex, { ...body, tenant: tenantOf(req) }, keyRing);
    log.info({ adminId: currentAdmin(res).adminId, tenant: conn.tenant, connection: conn.id, action: 'create' }, 'admin changed a connection');
    await scheduler?.reconcile();
    res.status(201).location(`${req.baseUrl}/${encodeURIComponent(conn.id)}`).json(conn);
  });

  router.get('/:connectionId', async (req, res) => {
    res.json(await connectionOf(req));
  });

  router.post('/:connectionId/test', async (req, res) => {
    const conn = await connectionOf(req);
    res.json(await testConnection({ knex, keyRing, log }, conn.id));
  });

  /** Queues a run now (202); 409 when one is already queued. */
  router.post('/:connectionId/runs', async (req, res) => {
    const conn = await connectionOf(req);
    const { kind } = parseInput(RunBody, req.body ?? {}, 'request body');
    if (!scheduler) throw new RollcallError('unsupported', 'this server runs no scheduler; use rollcall sync');
    if (!(await scheduler.runNow(conn.id, kind))) throw new RollcallError('conflict', `a run of ${conn.id} is already queued`);
    res.status(202).json({ queued: true, connection: conn.id, kind });
  });

  router.get('/:connectionId/runs', async (req, res) => {
    const conn = await connectionOf(req);
    const limit = Math.min(100, Math.max(1, Number(req.query.limit) || 20));
    const rows = (
      await knex.raw(
        `select id, kind, status, started_at, finished_at, since, progress, report from sync_runs where connection_id = ? order by id desc limit ?`,
        [conn.id, limit],
      )
    ).rows;
    res.json({ runs: rows.map((r: any) => ({ id: Number(r.id), kind: r.kind, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, since: r.since, progress: r.progress, report: r.report })) });
  });

  router.post('/:connectionId/runs/:runId/approve', async (req, res) => {
    const conn = await connectionOf(req);
    const report = await approveRun(knex, conn.id, Number(req.params.runId));
    log.info({ adminId: currentAdmin(res).adminId, connection: conn.id, run: report.runId, action: 'approve' }, 'admin approved held deletions');
    res.json(report);
  });

  return router;
}

/** GET /providers: what a connection can be. */
export function providersHandler(): express.RequestHandler {
  return (_req, res) => {
    res.json({
      providers: listConnectors().map((c) => ({ provider: c.provider, label: c.label, kind: c.kind === 'package' ? 'package' : 'records' })),
      templates: TEMPLATES,
    });
  };
}
