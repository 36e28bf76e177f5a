import { request, type Dispatcher } from 'undici';
import type { AttemptFailure } from './failure.js';
import { normalizeHeaders, type HeaderMap } from './headers.js';
import { errorCode, transportReason } from './network-errors.js';
import { extractVendorError } from './vendor-error-body.js';

export interface AttemptInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  parse: 'json' | 'text';
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

export type AttemptResult =
  | { ok: true; status: number; headers: HeaderMap; text: string; data: unknown }
  | { ok: false; failure: AttemptFailure; body?: string; detail?: string };

const EXCERPT = 500;

function transportFailure(err: unknown, timedOut: boolean, inBody: boolean): AttemptResult {
  const code = errorCode(err);
  const reason = timedOut ? 'timeout' : inBody && transportReason(code) !== 'timeout' ? 'truncated' : transportReason(code);
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { ok: false, failure: { reason, networkCode: code }, detail: detail.slice(0, EXCERPT) };
}

/**
 * One HTTP exchange with undici, never retried here: the answer, or why it failed. A body that
 * breaks off, or a 2xx that is not JSON when JSON was asked for, is a failure like any other.
 * The caller's own abort is rethrown as it is.
 */
export async function sendAttempt(input: AttemptInput): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(input.url, {
      method: input.method as Dispatcher.HttpMethod, headers: input.headers, body: input.body, signal,
      dispatcher: input.dispatcher, headersTimeout: input.timeoutMs, bodyTimeout: input.timeoutMs,
    });
  } catch (err) {
    if (input.signal?.aborted) throw input.signal.reason;
    return transportFailure(err, timeout.aborted, false);
  }
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    if (input.signal?.aborted) throw input.signal.reason;
    return transportFailure(err, timeout.aborted, true);
  }
  const headers = normalizeHeaders(res.headers);
  const status = res.statusCode;
  if (status < 200 || status > 299) {
    const vendor = extractVendorError(text, headers);
    return { ok: false, failure: { reason: 'status', status, headers, vendorCode: vendor.code, vendorMessage: vendor.message }, body: text.slice(0, EXCERPT) };
  }
  if (input.parse === 'text') return { ok: true, status, headers, text, data: text };
  try {
    return { ok: true, status, headers, text, data: text.trim() === '' ? null : JSON.parse(text) };
  } catch {
    return { ok: false, failure: { reason: 'invalid_json', status, headers }, body: text.slice(0, EXCERPT), detail: `${text.length} characters that do not parse as JSON` };
  }
}
