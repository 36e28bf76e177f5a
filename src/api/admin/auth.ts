import type { RequestHandler, Response } from 'express';
import { findAdmin, type Admin } from '../../auth/admins.js';
import { findToken } from '../../auth/tokens.js';
import { RollcallError } from '../../errors.js';
import type { AdminDeps } from './deps.js';

/**
 * Every admin route but /token: `Authorization: Bearer <admin token>` whose admin is still enabled.
 * Only tokens of kind 'admin' are looked up, so a OneRoster client's token never passes.
 */
export function requireAdmin({ db }: AdminDeps): RequestHandler {
  return async (req, res, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!m) return refuse(res, 'an admin access token is required (Authorization: Bearer <token> from POST /admin/v1/token)');
    const token = await findToken(db.knex, 'admin', m[1]);
    const admin = token?.scopes.includes('admin') ? await findAdmin(db.knex, token.principalId) : undefined;
    if (!admin || admin.disabled) return refuse(res, 'the access token is invalid, expired or revoked', 'invalid_token');
    res.locals.admin = admin;
    next();
  };
}

function refuse(res: Response, message: string, error?: string): never {
  res.set('WWW-Authenticate', `Bearer realm="rollcall-admin"${error ? `, error="${error}"` : ''}`);
  throw new RollcallError('unauthorized', message);
}

/** The admin authenticated by requireAdmin. */
export function currentAdmin(res: Response): Admin {
  return res.locals.admin as Admin;
}

/** A tenant admin sees only its tenant: any other tenant is answered as absent. */
export function canSeeTenant(admin: Admin, tenant: string): boolean {
  return admin.tenant === null || admin.tenant === tenant;
}
