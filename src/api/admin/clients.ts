import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import {
  createClient, disableClient, enableClient, getClient, listClients, rotateSecret, setRateLimit, setSharing, type ApiClient,
} from '../../auth/clients.js';
import { parseInput } from '../../auth/input.js';
import { Sharing } from '../../auth/sharing.js';
import { RollcallError } from '../../errors.js';
import { currentAdmin } from './auth.js';
import type { AdminDeps } from './deps.js';

const CreateBody = z.strictObject({
  name: z.string(),
  scopes: z.array(z.string()).optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
});
const SharingBody = Sharing.strict();
const RateLimitBody = z.strictObject({ perMinute: z.number().nullable() });

/** /tenants/:tenant/clients… (the tenant is already checked by tenantGuard). Secrets appear only in create and rotate-secret responses. */
export function clientsRouter({ db, log, keyRing }: AdminDeps): express.Router {
  const router = express.Router({ mergeParams: true });
  const knex = db.knex;
  const tenantOf = (req: Request) => String(req.params.tenant);

  /** The client, when it belongs to this tenant; a client of another tenant is answered as absent. */
  const clientOf = async (req: Request): Promise<ApiClient> => {
    const id = String(req.params.clientId);
    const client = await getClient(knex, id).catch((e) => {
      if (e instanceof RollcallError && e.kind === 'not_found') return undefined;
      throw e;
    });
    if (!client || client.tenant !== tenantOf(req)) throw new RollcallError('not_found', `no API client "${id}" in tenant "${tenantOf(req)}"`, { clientId: id });
    return client;
  };
  const audit = (res: Response, action: string, client: ApiClient) =>
    log.info({ adminId: currentAdmin(res).adminId, tenant: client.tenant, clientId: client.clientId, action }, 'admin changed an API client');

  router.get('/', async (req, res) => {
    res.json({ clients: await listClients(knex, tenantOf(req)) });
  });

  router.post('/', async (req, res) => {
    const body = parseInput(CreateBody, req.body, 'request body');
    const { client, clientSecret } = await createClient(knex, { ...body, tenant: tenantOf(req) }, { keyRing });
    audit(res, 'create', client);
    res.status(201).location(`${req.baseUrl}/${encodeURIComponent(client.clientId)}`).json({ ...client, clientSecret });
  });

  router.get('/:clientId', async (req, res) => {
    res.json(await clientOf(req));
  });

  router.post('/:clientId/disable', async (req, res) => {
    const client = await disableClient(knex, (await clientOf(req)).clientId);
    audit(res, 'disable', client);
    res.json(client);
  });

  router.post('/:clientId/enable', async (req, res) => {
    const client = await enableClient(knex, (await clientOf(req)).clientId);
    audit(res, 'enable', client);
    res.json(client);
  });

  router.post('/:clientId/rotate-secret', async (req, res) => {
    const { client, clientSecret } = await rotateSecret(knex, (await clientOf(req)).clientId, { keyRing });
    audit(res, 'rotate-secret', client);
    res.json({ ...client, clientSecret });
  });

  router.put('/:clientId/sharing', async (req, res) => {
    const { clientId } = await clientOf(req);
    const client = await setSharing(knex, clientId, parseInput(SharingBody, req.body, 'sharing'));
    audit(res, 'sharing', client);
    res.json(client);
  });

  router.put('/:clientId/rate-limit', async (req, res) => {
    const { clientId } = await clientOf(req);
    const client = await setRateLimit(knex, clientId, parseInput(RateLimitBody, req.body, 'request body').perMinute);
    audit(res, 'rate-limit', client);
    res.json(client);
  });

  return router;
}
