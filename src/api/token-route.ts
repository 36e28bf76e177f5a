import express, { type Request, type Response } from 'express';
import OAuth2Server, { OAuthError, Request as OAuthRequest, Response as OAuthResponse } from '@node-oauth/oauth2-server';
import type { Knex } from 'knex';
import type { Logger } from '../log.js';
import { oauth2Model } from '../auth/oauth2-model.js';

/**
 * POST /oauth/token: OAuth 2.0 client credentials (RFC 6749 §4.4) through @node-oauth/oauth2-server.
 * Client authentication by HTTP Basic or form body; errors in RFC 6749 §5.2 form.
 */
export function tokenRouter(deps: { knex: Knex; log: Logger; tokenTtlSeconds: number }): express.Router {
  const server = new OAuth2Server({ model: oauth2Model(deps.knex), accessTokenLifetime: deps.tokenTtlSeconds, requireClientAuthentication: { client_credentials: true } });
  const router = express.Router();
  router.post('/oauth/token', express.urlencoded({ extended: false, limit: '16kb' }), async (req: Request, res: Response) => {
    const request = new OAuthRequest({ headers: req.headers as Record<string, string>, method: req.method, query: req.query as Record<string, string>, body: req.body ?? {} });
    const response = new OAuthResponse(res);
    const grant = (req.body as Record<string, unknown> | undefined)?.grant_type;
    if (typeof grant === 'string' && grant !== 'client_credentials') {
      // The library would call this unauthorized_client; RFC 6749 §5.2 says a grant the server does not offer is unsupported.
      res.status(400).set('Cache-Control', 'no-store').json({ error: 'unsupported_grant_type', error_description: 'Only grant_type=client_credentials is offered' });
      return;
    }
    try {
      await server.token(request, response, { allowExtendedTokenAttributes: false });
    } catch (e) {
      if (!(e instanceof OAuthError) || e.code >= 500) deps.log.error({ err: e }, 'token request failed');
    }
    res.status(response.status ?? 200).set(response.headers as Record<string, string>).set('Cache-Control', 'no-store').json(response.body);
  });
  return router;
}
