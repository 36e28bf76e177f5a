/**
 * The one error type of Rollcall. Domain code returns or throws these; each edge (HTTP API, CLI,
 * import report) maps `kind` to its own shape in one place.
 */
export type ErrorKind =
  | 'invalid_input' // the caller sent something malformed
  | 'not_found'
  | 'conflict' // e.g. the embedded database is owned by another process
  | 'unauthorized'
  | 'forbidden'
  | 'unsupported'
  | 'busy' // rate limited: try again later
  | 'internal';

export class RollcallError extends Error {
  readonly kind: ErrorKind;
  readonly details?: Record<string, unknown>;

  constructor(kind: ErrorKind, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RollcallError';
    this.kind = kind;
    this.details = details;
  }
}

export const invalidInput = (message: string, details?: Record<string, unknown>) => new RollcallError('invalid_input', message, details);
export const conflict = (message: string, details?: Record<string, unknown>) => new RollcallError('conflict', message, details);
