import express, { type NextFunction, type Request, type Response } from 'express';
import { RollcallError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { OneRosterVersion } from '../../model/vocab.js';
import { authenticate, type AuthDeps } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import type { ClientRateLimits } from '../auth/rate-limit.js';
import { validationErrorToRollcall } from '../openapi/request-validator.js';
import { ENDPOINTS, expressPath } from './endpoints.js';
import { collectionHandler, singleHandler, type HandlerDeps } from './handlers.js';
import { statusInfoFor } from './status-info.js';
import { mountUnsupported } from './unsupported.js';

export type OneRosterRouterDeps = HandlerDeps & AuthDeps & { log: Logger; limits: ClientRateLimits; validators?: express.RequestHandler[] };

/**
 * One OneRoster version's rostering service: authentication (and rate limit) first, then the 41
 * GET endpoints, with every error answered in that version's status-info shape.
 */
export function oneRosterRouter(version: OneRosterVersion, deps: OneRosterRouterDeps): express.Router {
  const router = express.Router();

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const principal = await authenticate(deps, version, {
      method: req.method,
      url: `${req.protocol}://${req.get('host')}${req.originalUrl}`,
      authorization: req.get('authorization'),
    });
    res.locals.principal = principal;
    await deps.limits.consume(principal.clientId, principal.rateLimitPerMinute);
    next();
  });

  if (version === '1.1') mountUnsupported(router);
  if (deps.validators) router.use(deps.validators);

  for (const ep of ENDPOINTS) {
    router.get(expressPath(ep.path), (ep.single ? singleHandler : collectionHandler)(ep, version, deps));
  }

  router.use((req: Request) => {
    throw new RollcallError('not_found', `No such OneRoster ${version} endpoint: ${req.method} ${req.baseUrl}${req.path}`);
  });

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = validationErrorToRollcall(err) ?? asRollcallError(err, res, deps.log, req);
    const out = statusInfoFor(e, version, res.locals.operationId as string | undefined);
    res.status(out.status).set(out.headers).json(out.body);
  });

  return router;
}

/** Known errors pass through; anything else is logged with the request id and answered without details. */
function asRollcallError(err: unknown, res: Response, log: Logger, req: Request): RollcallError {
  if (err instanceof RollcallError && err.kind !== 'internal') return err;
  const requestId = res.locals.requestId as string | undefined;
  const principal = res.locals.principal as Principal | undefined;
  log.error({ err, requestId, path: req.path, client: principal?.clientId }, 'OneRoster request failed');
  return new RollcallError('internal', `An unexpected error occurred; give request id ${requestId ?? '(none)'} to the administrator`);
}
