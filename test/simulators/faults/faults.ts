import type { ServerResponse } from 'node:http';

/** What a route answers when no fault applies. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

/**
 * A way for a route to misbehave:
 * - `status`: any status with optional headers and body (5xx bursts, 401, 404 on a wrong version…);
 * - `rate-limit`: 429 with `Retry-After` in seconds (number), as an HTTP-date (Date), raw (string) or none;
 * - `hang`: accepts the request and never answers;
 * - `reset`: drops the connection before answering;
 * - `reset-mid-body`: sends the headers and half the body, then resets the connection;
 * - `truncate`: promises the full body (Content-Length), sends half, then closes cleanly;
 * - `truncated-json`: a complete HTTP answer whose JSON is cut in half.
 */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; json?: unknown; text?: string }
  | { kind: 'rate-limit'; retryAfter?: number | Date | string; headers?: Record<string, string>; json?: unknown }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'reset-mid-body' }
  | { kind: 'truncate' }
  | { kind: 'truncated-json' };

export function encodeReply(reply: Reply): { status: number; headers: Record<string, string>; body: Buffer } {
  const json = reply.json !== undefined;
  const body = Buffer.from(json ? JSON.stringify(reply.json) : reply.text ?? '');
  const headers: Record<string, string> = { ...(json ? { 'content-type': 'application/json' } : reply.text !== undefined ? { 'content-type': 'text/plain' } : {}), ...reply.headers };
  return { status: reply.status ?? 200, headers: { ...headers, 'content-length': String(body.length) }, body };
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const { status, headers, body } = encodeReply(reply);
  res.writeHead(status, headers);
  res.end(body);
}

function retryAfterHeader(v: number | Date | string | undefined): Record<string, string> {
  if (v === undefined) return {};
  return { 'retry-after': v instanceof Date ? v.toUTCString() : String(v) };
}

/** Answers with `fault`; `normal` is the answer the route would have given (cut short by the body faults). */
export async function applyFault(fault: Fault, res: ServerResponse, normal: () => Promise<Reply>): Promise<void> {
  switch (fault.kind) {
    case 'status':
      return writeReply(res, { status: fault.status, headers: fault.headers, json: fault.json ?? (fault.text === undefined ? { message: `simulated ${fault.status}` } : undefined), text: fault.text });
    case 'rate-limit':
      return writeReply(res, { status: 429, headers: { ...retryAfterHeader(fault.retryAfter), ...fault.headers }, json: fault.json ?? { message: 'Too Many Requests' } });
    case 'hang':
      return; // the socket stays open until the client gives up or the server closes
    case 'reset':
      res.socket?.resetAndDestroy();
      return;
    default: {
      const { status, headers, body } = encodeReply(await normal());
      const half = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
      if (fault.kind === 'truncated-json') {
        res.writeHead(status, { ...headers, 'content-length': String(half.length) });
        res.end(half);
        return;
      }
      res.writeHead(status, headers); // Content-Length of the whole body
      res.write(half, () => {
        if (fault.kind === 'reset-mid-body') res.socket?.resetAndDestroy();
        else res.socket?.end();
      });
    }
  }
}
