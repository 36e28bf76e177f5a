import { RollcallError, type ErrorKind } from '../../../errors.js';

/**
 * A CSV drop could not be fetched or read. `adminMessage` (also the message) says what a district
 * admin can do about it; `technical` says what happened underneath. Neither holds a credential:
 * upstream text is scrubbed of the connection's secret values on the way in, and the raw error is
 * not kept as `cause`.
 */
export class CsvDropError extends RollcallError {
  readonly adminMessage: string;
  /** Whether the next run may well succeed without anyone changing anything. */
  readonly retryable: boolean;
  readonly technical?: string;

  constructor(kind: ErrorKind, adminMessage: string, opts: { retryable?: boolean; technical?: string } = {}) {
    super(kind, adminMessage);
    this.name = 'CsvDropError';
    this.adminMessage = adminMessage;
    this.retryable = opts.retryable ?? false;
    if (opts.technical) this.technical = opts.technical;
  }
}

const REDACTED = '[redacted]';

/** `text` with every secret value (and each line of a multi-line one, such as a private key) replaced. */
export function scrub(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  const values = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    values.add(s);
    for (const line of s.split(/\r?\n/)) if (line.trim().length >= 8) values.add(line.trim());
  }
  for (const v of [...values].sort((a, b) => b.length - a.length)) {
    if (v.length < 4) continue;
    out = out.split(v).join(REDACTED);
    const enc = encodeURIComponent(v);
    if (enc !== v) out = out.split(enc).join(REDACTED);
  }
  return out;
}

/** The message of an unknown thrown value, scrubbed. */
export function describe(err: unknown, secrets: Array<string | undefined>): string {
  const e = err as { message?: unknown; code?: unknown } | undefined;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  const code = e && typeof e.code === 'string' ? ` (${e.code})` : '';
  return scrub(`${msg}${code}`, secrets);
}
