import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { parseInput } from '../../auth/input.js';
import { RollcallError } from '../../errors.js';
import { canSeeTenant, currentAdmin } from './auth.js';
import type { AdminDeps } from './deps.js';

/** GET /tenants: the tenants this admin may see. */
export function listTenantsHandler({ db }: AdminDeps): RequestHandler {
  return async (_req, res) => {
    const admin = currentAdmin(res);
    const rows = (await db.knex.raw('select id, name, created_at from tenants order by id')).rows as Array<{ id: string; name: string; created_at: Date }>;
    const tenants = rows.filter((t) => canSeeTenant(admin, t.id)).map((t) => ({ id: t.id, name: t.name, createdAt: t.created_at }));
    res.json({ tenants });
  };
}

/** Before any /tenants/:tenant route: the tenant exists and this admin may see it (else 404, the same either way). */
export function tenantGuard({ db }: AdminDeps): RequestHandler {
  return async (req, res, next) => {
    const tenant = String(req.params.tenant);
    const exists = (await db.knex.raw('select 1 from tenants where id = ?', [tenant])).rows.length > 0;
    if (!exists || !canSeeTenant(currentAdmin(res), tenant)) throw new RollcallError('not_found', `no tenant "${tenant}"`, { tenant });
    next();
  };
}

const ImportRunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

/** GET /tenants/:tenant/import-runs?limit=: the latest import runs, newest first. */
export function importRunsRouter({ db }: AdminDeps): express.Router {
  const router = express.Router({ mergeParams: true });
  router.get('/', async (req, res) => {
    const { limit } = parseInput(ImportRunsQuery, req.query, 'query');
    const rows = (
      await db.knex.raw(
        `select id, source, origin, started_at, finished_at, outcome, report from import_runs
         where tenant_id = ? order by started_at desc, id desc limit ?`,
        [(req.params as { tenant: string }).tenant, limit],
      )
    ).rows;
    res.json({ importRuns: rows.map(toRun) });
  });
  return router;
}

type RunRow = { id: number; source: string; origin: string; started_at: Date; finished_at: Date | null; outcome: string; report: unknown };

function toRun(r: RunRow) {
  return { id: r.id, source: r.source, origin: r.origin, startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome, report: withoutSecrets(r.report) };
}

/** Drops the value of any reported problem whose field could hold a credential (e.g. users.csv password). */
function withoutSecrets(report: unknown): unknown {
  const r = report as { problems?: Array<{ field?: string; value?: string }> } | null;
  if (!r || !Array.isArray(r.problems)) return report;
  const secretish = /pass|secret|token/i;
  return { ...r, problems: r.problems.map(({ value, ...p }) => (p.field && secretish.test(p.field) ? p : { ...p, value })) };
}
