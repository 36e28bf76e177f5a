import express from 'express';
import { requireAdmin } from './auth.js';
import { clientsRouter } from './clients.js';
import { connectionsRouter, providersHandler } from './connections.js';
import type { AdminDeps } from './deps.js';
import { adminErrorHandler, adminNotFound } from './errors.js';
import { importRunsRouter, listTenantsHandler, tenantGuard } from './tenants.js';
import { tokenHandler } from './token.js';

export type { AdminDeps } from './deps.js';

/**
 * The admin API, to be mounted at /admin/v1: POST /token (admin client credentials), then, with an
 * admin bearer token, tenants, their API clients and import runs. Request bodies are never logged.
 */
export function createAdminRouter(deps: AdminDeps): express.Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store'); // responses may carry secrets; none may be cached
    next();
  });
  router.post('/token', express.urlencoded({ extended: false, limit: '8kb' }), tokenHandler(deps));
  router.use(requireAdmin(deps));
  router.use(express.json({ limit: '256kb' }));
  router.get('/tenants', listTenantsHandler(deps));
  router.get('/providers', providersHandler());
  router.use('/tenants/:tenant', tenantGuard(deps));
  router.use('/tenants/:tenant/clients', clientsRouter(deps));
  router.use('/tenants/:tenant/import-runs', importRunsRouter(deps));
  router.use('/tenants/:tenant/connections', connectionsRouter(deps));
  router.use(adminNotFound);
  router.use(adminErrorHandler(deps.log));
  return router;
}
