import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyFault, writeReply, type Fault, type Reply } from './faults.js';
import { FaultPlans, type FaultPlanOf } from './plans.js';

/** A request as the simulator saw it. */
export interface SimRequest {
  method: string;
  url: URL;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: SimRequest) => Reply | Promise<Reply>;

/** A fault for the requests of a route that match `when`, the next `times` of them (default: all). */
export type FaultPlan = FaultPlanOf<SimRequest>;

export interface BearerOptions {
  /** Default `/oauth/token` (POST). */
  tokenPath?: string;
  /** When set, the token request must carry these as HTTP Basic credentials. */
  client?: { id: string; secret: string };
}

/**
 * A real HTTP server (node:http, loopback) whose routes can be told to misbehave, for testing the
 * connector core and, later, each vendor simulator. Routes match an exact path; anything else is
 * a 404 (which is what a wrong API version looks like). Faults are queued per path (`'*'` = every
 * path) and used up in order.
 */
export class FaultServer {
  readonly requests: SimRequest[] = [];
  /** Tokens handed out by the token route, newest last. */
  readonly issuedTokens: string[] = [];
  private readonly routes = new Map<string, Handler>();
  private readonly plans = new FaultPlans<SimRequest>();
  private readonly validTokens = new Set<string>();
  private bearer?: Required<Pick<BearerOptions, 'tokenPath'>> & BearerOptions;

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<FaultServer> {
    const server = createServer();
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sim = new FaultServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => void sim.handle(req, res));
    return sim;
  }

  /** Answers GET `path` (or `method`) with `handler`. */
  route(path: string, handler: Handler | Reply, method = 'GET'): this {
    this.routes.set(`${method} ${path}`, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  /** The same route under several base paths (the versions a server supports). */
  routeUnder(bases: readonly string[], path: string, handler: Handler | Reply): this {
    for (const base of bases) this.route(`${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`, handler);
    return this;
  }

  fault(path: string, plan: FaultPlan | Fault): this {
    this.plans.add(path, plan);
    return this;
  }

  clearFaults(): void {
    this.plans.clear();
  }

  /** Back to a well-behaved server between tests: no faults, no token checks, no request log. Routes stay. */
  reset(): void {
    this.plans.clear();
    this.bearer = undefined;
    this.validTokens.clear();
    this.issuedTokens.length = 0;
    this.requests.length = 0;
  }

  /**
   * Routes other than the token route then need `Authorization: Bearer <token>` with a token the
   * token route issued and that has not been expired; otherwise 401 `invalid_token`.
   */
  useBearerTokens(options: BearerOptions = {}): this {
    this.bearer = { tokenPath: '/oauth/token', ...options };
    return this;
  }

  /** Every token handed out so far stops working (the "expired token" fault). */
  expireTokens(): void {
    this.validTokens.clear();
  }

  hits(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of raw) chunks.push(c as Buffer);
    const url = new URL(raw.url ?? '/', this.url);
    const req: SimRequest = { method: raw.method ?? 'GET', url, path: url.pathname, headers: raw.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.requests.push(req);
    try {
      const normal = () => this.answer(req);
      const fault = this.takeFault(req);
      if (fault) await applyFault(fault, res, normal);
      else writeReply(res, await normal());
    } catch (err) {
      if (!res.headersSent) writeReply(res, { status: 500, json: { message: `simulator error: ${(err as Error).message}` } });
    }
  }

  private takeFault(req: SimRequest): Fault | undefined {
    return this.plans.take([req.path, '*'], req);
  }

  private async answer(req: SimRequest): Promise<Reply> {
    if (this.bearer && req.method === 'POST' && req.path === this.bearer.tokenPath) return this.issueToken(req);
    const handler = this.routes.get(`${req.method} ${req.path}`);
    if (!handler) return { status: 404, json: { message: `no route ${req.method} ${req.path}` } };
    if (this.bearer) {
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !this.validTokens.has(token)) {
        return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, json: { error: 'invalid_token', error_description: 'The access token expired' } };
      }
    }
    return handler(req);
  }

  private issueToken(req: SimRequest): Reply {
    const client = this.bearer?.client;
    if (client) {
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!basic || Buffer.from(basic, 'base64').toString() !== `${client.id}:${client.secret}`) {
        return { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };
      }
    }
    const token = `tok_${randomBytes(12).toString('hex')}`;
    this.issuedTokens.push(token);
    this.validTokens.add(token);
    return { json: { access_token: token, token_type: 'Bearer', expires_in: 3600 } };
  }
}
