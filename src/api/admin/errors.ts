import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { RollcallError, type ErrorKind } from '../../errors.js';
import type { Logger } from '../../log.js';

/** The one place admin API errors become HTTP: `{ error: { code, message, details? } }`. */
const STATUS: Partial<Record<ErrorKind, number>> = { invalid_input: 400, unauthorized: 401, forbidden: 403, not_found: 404, conflict: 409, unsupported: 501 };

export function adminErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = asRollcallError(err);
    const status = e && STATUS[e.kind];
    if (e && status) {
      res.status(status).json({ error: { code: e.kind, message: e.message, ...(e.details ? { details: e.details } : {}) } });
      return;
    }
    const requestId = randomUUID();
    log.error({ err, requestId, method: req.method, path: req.path }, 'admin API request failed');
    res.status(500).json({ error: { code: 'internal', message: `internal error (request id ${requestId})`, details: { requestId } } });
  };
}

/** Unmatched admin API routes. */
export const adminNotFound: RequestHandler = (req) => {
  throw new RollcallError('not_found', `no admin API route ${req.method} ${req.originalUrl.split('?')[0]}`);
};

/** RollcallErrors as they are; body-parser's client errors (bad JSON, too large) as invalid_input. */
function asRollcallError(err: unknown): RollcallError | undefined {
  if (err instanceof RollcallError) return err;
  const e = err as { status?: number; expose?: boolean; type?: string; message?: string };
  if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return new RollcallError('invalid_input', e.type === 'entity.parse.failed' ? 'the request body is not valid JSON' : String(e.message));
  }
  return undefined;
}
