import pino from 'pino';

/** Paths that may carry secrets; pino replaces them before anything is written. */
const REDACT = [
  'secret', '*.secret', 'clientSecret', '*.clientSecret', 'client_secret', '*.client_secret',
  'password', '*.password', 'token', '*.token', 'access_token', '*.access_token',
  'authorization', '*.authorization', 'req.headers.authorization', 'headers.authorization',
  'databaseUrl', '*.databaseUrl',
];

export type Logger = pino.Logger;

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'rollcall' } }, destination);
}
