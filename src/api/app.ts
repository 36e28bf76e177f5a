import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config.js';
import type { KeyRing } from '../crypto/key-ring.js';
import type { SyncScheduler } from '../ingest/scheduler/scheduler.js';
import type { Logger } from '../log.js';
import { Pager } from '../query/pager.js';
import type { Database } from '../store/db.js';
import { createAdminRouter } from './admin/router.js';
import { ClientRateLimits } from './auth/rate-limit.js';
import { createDocsRouter } from './openapi/docs-router.js';
import { openApiRequestValidator } from './openapi/request-validator.js';
import { BASE_PATH } from './oneroster/handlers.js';
import { oneRosterRouter } from './oneroster/router.js';
import { requestLog } from './request-log.js';
import { tokenRouter } from './token-route.js';

export type AppDeps = { db: Database; config: Config; log: Logger; keyRing?: KeyRing; scheduler?: SyncScheduler };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Pages of at least this many rows are rendered in two halves at once on Postgres, when it is otherwise idle. */
const SPLIT_ROWS = 1000;

/** The HTTP application: health, the token endpoint and the OneRoster 1.1 and 1.2 rostering services. */
export function createApp({ db, config, log, keyRing, scheduler }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    res.locals.requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.set('X-Request-Id', res.locals.requestId);
    // Tolerate a doubled slash in the path (the SDS collection sends one): /v1p1//classes → /v1p1/classes.
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (path.includes('//')) req.url = path.replace(/\/{2,}/g, '/') + (q < 0 ? '' : req.url.slice(q));
    next();
  });
  app.use(requestLog(log));

  app.get('/health', async (_req, res) => {
    try {
      await db.knex.raw('select 1');
      res.json({ status: 'ok', database: db.engine });
    } catch (e) {
      log.error({ err: e }, 'health check failed');
      res.status(503).json({ status: 'unavailable', database: db.engine });
    }
  });

  app.use('/admin/v1', createAdminRouter({ db, config, log, keyRing, scheduler }));
  app.use(tokenRouter({ knex: db.knex, log, tokenTtlSeconds: config.tokenTtlSeconds }));

  // Both overlap work on Postgres's other connections; the embedded database has one, in this thread.
  const pager = db.engine === 'postgres' ? new Pager({ readAhead: true, splitRows: SPLIT_ROWS }) : new Pager();
  const shared = { knex: db.knex, pager, publicUrl: config.publicUrl, keyRing, log, limits: new ClientRateLimits(config.rateLimitPerMinute) };
  app.use(createDocsRouter({ publicUrl: config.publicUrl })); // discovery documents and /docs need no token
  app.use(BASE_PATH['1.1'], oneRosterRouter('1.1', { ...shared, validators: openApiRequestValidator('1.1') }));
  app.use(BASE_PATH['1.2'], oneRosterRouter('1.2', { ...shared, validators: openApiRequestValidator('1.2') }));

  return app;
}
