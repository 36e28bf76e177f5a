import type { HeaderMap } from './headers.js';

/**
 * How a header tells the client to wait:
 * - `retry-after`: RFC 9110, delay-seconds or an HTTP-date;
 * - `delta-seconds`: seconds from now;
 * - `epoch`: a moment as Unix seconds or milliseconds (told apart by size), or an HTTP-date
 *   (Clever's `X-RateLimit-Reset`).
 */
export type WaitHeaderForm = 'retry-after' | 'delta-seconds' | 'epoch';

export interface WaitHeaderSpec {
  /** Lower-case header name. */
  name: string;
  form: WaitHeaderForm;
}

export const RETRY_AFTER: WaitHeaderSpec = { name: 'retry-after', form: 'retry-after' };

const NUMBER = /^\d+(\.\d+)?$/;

/** Milliseconds to wait from `now`, or undefined when the value is not understood. Past moments give 0. */
export function parseWaitHeader(raw: string | undefined, form: WaitHeaderForm, now: number): number | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const numeric = NUMBER.test(value) ? Number(value) : undefined;
  if (numeric !== undefined && form !== 'epoch') return Math.ceil(numeric * 1000);
  if (numeric !== undefined) return Math.max(0, Math.ceil((numeric > 1e12 ? numeric : numeric * 1000) - now));
  if (form === 'delta-seconds') return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil(at - now));
}

/** The longest wait any of `specs` asks for, with the header that asked. */
export function serverWaitHint(headers: HeaderMap | undefined, specs: readonly WaitHeaderSpec[], now: number): { waitMs: number; header: string } | undefined {
  let best: { waitMs: number; header: string } | undefined;
  for (const spec of specs) {
    const waitMs = parseWaitHeader(headers?.[spec.name], spec.form, now);
    if (waitMs !== undefined && (!best || waitMs > best.waitMs)) best = { waitMs, header: spec.name };
  }
  return best;
}
