import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log.js';

/**
 * One log line per request: method, path and query, status, duration, request id and client id.
 * Never headers or bodies, so no credential or token can reach the log from here.
 */
export function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const client = (res.locals.principal as { clientId?: string } | undefined)?.clientId;
      log.info({ requestId: res.locals.requestId, method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10, client }, 'request');
    });
    next();
  };
}
