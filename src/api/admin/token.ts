import type { Request, RequestHandler, Response } from 'express';
import { verifyAdmin } from '../../auth/admins.js';
import { issueToken } from '../../auth/tokens.js';
import type { AdminDeps } from './deps.js';

/**
 * POST /admin/v1/token: OAuth 2.0 client credentials for admins. The admin id and secret come by
 * HTTP Basic or as client_id/client_secret in the form body (not both); the token's scope is `admin`.
 */
export function tokenHandler({ db, config, log }: AdminDeps): RequestHandler {
  return async (req, res) => {
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    const form = (k: string) => (typeof req.body?.[k] === 'string' ? (req.body[k] as string) : undefined);
    const grant = form('grant_type');
    if (grant !== 'client_credentials') {
      return oauthError(res, 400, grant ? 'unsupported_grant_type' : 'invalid_request', 'grant_type must be client_credentials');
    }
    const scope = form('scope');
    if (scope !== undefined && scope.split(' ').some((s) => s !== '' && s !== 'admin')) {
      return oauthError(res, 400, 'invalid_scope', 'the only scope of an admin token is admin');
    }
    const basic = basicCredentials(req);
    const inBody = form('client_id') !== undefined || form('client_secret') !== undefined;
    if (basic && inBody) return oauthError(res, 400, 'invalid_request', 'send the credentials by HTTP Basic or in the body, not both');
    const creds = basic ?? (inBody ? { id: form('client_id') ?? '', secret: form('client_secret') ?? '' } : undefined);
    const admin = creds && creds.id && creds.secret ? await verifyAdmin(db.knex, creds.id, creds.secret) : undefined;
    if (!admin) {
      log.info('admin token refused: unknown admin, wrong secret or disabled admin');
      res.set('WWW-Authenticate', 'Basic realm="rollcall-admin"');
      return oauthError(res, 401, 'invalid_client', creds ? 'unknown admin, wrong secret, or the admin is disabled' : 'admin credentials are required');
    }
    const token = await issueToken(db.knex, 'admin', admin.adminId, ['admin'], config.tokenTtlSeconds);
    log.info({ adminId: admin.adminId }, 'admin token issued');
    res.json({ access_token: token.accessToken, token_type: 'Bearer', expires_in: config.tokenTtlSeconds, scope: 'admin' });
  };
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

/** `Authorization: Basic base64(id:secret)`; percent-encoded parts (RFC 6749 §2.3.1) are decoded. */
function basicCredentials(req: Request): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(req.get('authorization') ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { id: '', secret: '' };
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
