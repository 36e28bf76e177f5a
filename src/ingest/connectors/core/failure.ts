import type { HeaderMap } from './headers.js';

/** Why one attempt failed. */
export type FailureReason =
  | 'status' // the server answered with a non-2xx status
  | 'timeout' // no complete answer within the per-request timeout
  | 'network' // connection refused/reset, DNS, socket closed before an answer
  | 'truncated' // the connection broke in the middle of the body
  | 'invalid_json' // a 2xx whose body is not JSON (typically cut short)
  | 'tls'; // the server's certificate was refused

export interface AttemptFailure {
  reason: FailureReason;
  status?: number;
  headers?: HeaderMap;
  networkCode?: string;
  vendorCode?: string;
  vendorMessage?: string;
}

/** What an admin-facing rule sees about a failed request (after its last attempt). */
export interface FailureFacts extends Omit<AttemptFailure, 'headers'> {
  /** The vendor's display name, e.g. "Aeries". */
  vendorName: string;
  entity?: string;
  host: string;
  /** The URL path, secrets removed. */
  path: string;
  attempts: number;
  timeoutMs: number;
}

export type FailureCategory =
  | 'auth' | 'permission' | 'not_found' | 'rate_limited' | 'server' | 'timeout' | 'network' | 'tls'
  | 'bad_response' | 'rejected' | 'version' | 'internal';
