/** What kind of transport failure an error is, whatever layer (Node, undici) raised it. */
export type TransportReason = 'timeout' | 'network' | 'truncated' | 'tls';

const TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TRUNCATED = new Set(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'ERR_STREAM_PREMATURE_CLOSE']);
/** Failures of the path to the server that a later attempt can get past (DNS hiccups included). */
const RETRYABLE = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'ENETDOWN', 'EHOSTDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', ...TIMEOUT, ...TRUNCATED,
]);
const TLS = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY|GET)_)/;

/** The most specific error code in `err` and its causes; "socket hang up" and friends become codes too. */
export function errorCode(err: unknown): string | undefined {
  let found: string | undefined;
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === 'object'; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && code) found = code; // deeper codes (the syscall's) are more specific
    else if (!found && typeof message === 'string') {
      if (/socket hang up|ECONNRESET/i.test(message)) found = 'ECONNRESET';
      else if (/other side closed/i.test(message)) found = 'UND_ERR_SOCKET';
    }
    e = (e as { cause?: unknown }).cause;
  }
  return found;
}

export function isRetryableNetworkCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE.has(code);
}

export function transportReason(code: string | undefined): TransportReason {
  if (code && TIMEOUT.has(code)) return 'timeout';
  if (code && TRUNCATED.has(code)) return 'truncated';
  if (code && TLS.test(code)) return 'tls';
  return 'network';
}
