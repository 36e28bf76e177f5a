import express from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Database } from '../store/db.js';

export type AppDeps = { db: Database; config: Config; log: Logger };

/** The HTTP application. The OneRoster routers mount here as they land. */
export function createApp({ db, log }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.get('/health', async (_req, res) => {
    try {
      await db.knex.raw('select 1');
      res.json({ status: 'ok', database: db.engine });
    } catch (e) {
      log.error({ err: e }, 'health check failed');
      res.status(503).json({ status: 'unavailable', database: db.engine });
    }
  });

  return app;
}
