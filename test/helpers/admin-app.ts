import type { AddressInfo } from 'node:net';
import express from 'express';
import { createAdminRouter, type AdminDeps } from '../../src/api/admin/router.js';

/** The admin router mounted where the app mounts it, on an app of its own (tests only). */
export function createAdminApp(deps: AdminDeps): express.Express {
  const app = express();
  app.use('/admin/v1', createAdminRouter(deps));
  return app;
}

/** Listens on an ephemeral port of 127.0.0.1. */
export function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
