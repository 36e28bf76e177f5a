import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyOAuth1 } from '../../../src/auth/oauth1.js';
import type { EntityName } from '../../../src/model/entities.js';
import { applyFault, writeReply, type Fault, type Reply } from '../faults/index.js';
import { FaultPlans, type FaultPlanOf } from '../faults/plans.js';
import { cloneDistrict, type SimDistrict, type SimRecord } from './district.js';
import { renderRecord, type Dialect } from './wire.js';

export type Paging = 'link' | 'total' | 'none';

export type SimAuth =
  | {
      kind: 'oauth2';
      clientId: string;
      clientSecret: string;
      /** Default `<prefix>/oauth/token`. */
      tokenPath?: string;
      /** Infinite Campus: the token request must name this application (`appName`, in the query or the form). */
      appName?: string;
      /** Only HTTP Basic client authentication (no client_id/client_secret in the form). */
      basicOnly?: boolean;
      /** Only client_id/client_secret in the form: Basic is answered 401 invalid_client. */
      formOnly?: boolean;
      tokenTtlSeconds?: number;
    }
  | { kind: 'oauth1'; consumerKey: string; consumerSecret: string }
  | { kind: 'none' };

export type SimOptions = {
  district: SimDistrict;
  dialect: Dialect;
  /** A vendor prefix before the base path, e.g. Infinite Campus `/campus/api/oneroster/v1p1/<appName>`. */
  prefix?: string;
  /** Default per dialect: `/ims/oneroster/v1p0`, `/ims/oneroster/v1p1`, `/ims/oneroster/rostering/v1p2`. */
  basePath?: string;
  auth: SimAuth;
  /** How collections say there is more: `Link` + `X-Total-Count`, `X-Total-Count` only, or neither. */
  paging?: Paging;
  /** `limit` when none is asked (default 100). */
  defaultLimit?: number;
  /** The largest page the server sends, whatever `limit` asks (servers cap silently). */
  maxLimit?: number;
  /** No /academicSessions route: sessions only under /terms, all types (the 1.0 style; default for 1.0). */
  termsOnly?: boolean;
  /** Collections answered 403 (the client lacks the scope). */
  forbidden?: readonly EntityName[];
  /** Wait this long before answering each collection page (to be killed mid-pull). */
  delayMs?: number;
  /** `false`: every `filter` is refused with 400 invalid_filter_field (servers without deltas). */
  filters?: boolean;
};

/** A request as the simulator saw it. */
export type SimRequest = { method: string; url: URL; path: string; headers: IncomingMessage['headers']; body: string; entity?: string; status?: number };

/** A fault for the requests of an endpoint (`users`, `terms`, `token`, or `*`) that match `when`, the next `times` of them. */
export type SimFaultPlan = FaultPlanOf<SimRequest>;

const ENDPOINTS: Record<string, { entity: EntityName; key: string }> = {
  orgs: { entity: 'orgs', key: 'orgs' },
  academicSessions: { entity: 'academicSessions', key: 'academicSessions' },
  terms: { entity: 'academicSessions', key: 'academicSessions' },
  courses: { entity: 'courses', key: 'courses' },
  classes: { entity: 'classes', key: 'classes' },
  users: { entity: 'users', key: 'users' },
  enrollments: { entity: 'enrollments', key: 'enrollments' },
  demographics: { entity: 'demographics', key: 'demographics' },
};

const DEFAULT_BASE: Record<Dialect, string> = { '1.0': '/ims/oneroster/v1p0', '1.1': '/ims/oneroster/v1p1', '1.2': '/ims/oneroster/rostering/v1p2' };

/** imsx StatusInfo in the version's shape. */
function statusInfo(dialect: Dialect, status: number, codeMinor: string, description: string): Reply {
  const info = {
    imsx_codeMajor: 'failure', imsx_severity: 'error', imsx_description: description,
    imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor }] },
  };
  return { status, json: dialect === '1.2' ? info : { statusInfoSet: [info] } };
}

type Clause = { field: string; op: string; value: string };

/** `dateLastModified>'…'`, `status='active'`, joined by AND: what deltas and SDS-style pulls send. */
function parseFilter(filter: string | null): Clause[] | 'invalid' {
  if (filter === null || filter.trim() === '') return [];
  const clauses: Clause[] = [];
  for (const part of filter.split(/\s+AND\s+/i)) {
    const m = /^\s*(\w+)\s*(>=|<=|!=|=|>|<)\s*'([^']*)'\s*$/.exec(part);
    if (!m || !['dateLastModified', 'status'].includes(m[1])) return 'invalid';
    clauses.push({ field: m[1], op: m[2], value: m[3] });
  }
  return clauses;
}

function matches(r: SimRecord, c: Clause): boolean {
  const cmp = c.field === 'status' ? r.status.localeCompare(c.value) : r.dateLastModified.getTime() - Date.parse(c.value);
  switch (c.op) {
    case '=': return cmp === 0;
    case '!=': return cmp !== 0;
    case '>': return cmp > 0;
    case '>=': return cmp >= 0;
    case '<': return cmp < 0;
    default: return cmp <= 0;
  }
}

/**
 * A OneRoster REST server over a simulated district, speaking 1.0 (flat), 1.1 or 1.2 JSON built by
 * Rollcall's own serializers; OAuth 2 client credentials (optionally IC's appName) or OAuth 1.0a
 * (verified with Rollcall's verifier, nonces kept in memory); Link / X-Total-Count / no paging
 * headers; `dateLastModified` filters; and faults from test/simulators/faults on any endpoint.
 */
export class OneRosterSimulator {
  readonly requests: SimRequest[] = [];
  /** Tokens issued by the token endpoint, newest last. */
  readonly issuedTokens: string[] = [];
  /** OAuth 1.0a signature methods of accepted requests, and their nonces. */
  readonly oauth1: { methods: string[]; nonces: string[]; rejected: string[] } = { methods: [], nonces: [], rejected: [] };
  readonly dialect: Dialect;
  private readonly district: SimDistrict;
  private readonly opts: SimOptions;
  private readonly tokens = new Map<string, number>();
  private readonly nonces = new Set<string>();
  private readonly plans = new FaultPlans<SimRequest>();
  private readonly rendered = new Map<string, Record<string, unknown>>();
  private expireWhen: Array<(req: SimRequest) => boolean> = [];
  private baseUrlValue = '';

  private constructor(private readonly server: Server, readonly url: string, opts: SimOptions) {
    this.opts = opts;
    this.dialect = opts.dialect;
    this.district = cloneDistrict(opts.district);
    for (const list of Object.values(this.district)) list.sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0));
    this.baseUrlValue = `${url}${this.prefix}${this.basePath}`;
  }

  static async start(opts: SimOptions): Promise<OneRosterSimulator> {
    const server = createServer();
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sim = new OneRosterSimulator(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, opts);
    server.on('request', (req, res) => void sim.handle(req, res));
    return sim;
  }

  get prefix(): string {
    return (this.opts.prefix ?? '').replace(/\/+$/, '');
  }

  get basePath(): string {
    return this.opts.basePath ?? DEFAULT_BASE[this.dialect];
  }

  /** The server root including any vendor prefix (what an admin would enter as the base URL for auto-detection). */
  get rootUrl(): string {
    return `${this.url}${this.prefix}`;
  }

  /** The full base of the served version. */
  get baseUrl(): string {
    return this.baseUrlValue;
  }

  get tokenUrl(): string {
    return `${this.url}${this.tokenPath}`;
  }

  private get tokenPath(): string {
    return this.opts.auth.kind === 'oauth2' ? this.opts.auth.tokenPath ?? `${this.prefix}/oauth/token` : '';
  }

  private get termsOnly(): boolean {
    return this.opts.termsOnly ?? this.dialect === '1.0';
  }

  // ---- the district -------------------------------------------------------------------------

  records(entity: EntityName): readonly SimRecord[] {
    return this.district[entity];
  }

  record(entity: EntityName, sourcedId: string): SimRecord {
    const r = this.district[entity].find((x) => x.sourcedId === sourcedId);
    if (!r) throw new Error(`no ${entity}/${sourcedId} upstream`);
    return r;
  }

  /** Changes a record upstream: its dateLastModified moves to now. */
  update(entity: EntityName, sourcedId: string, change: (data: Record<string, any>) => void): void {
    const r = this.record(entity, sourcedId);
    change(r.data);
    r.dateLastModified = new Date();
    this.rendered.delete(`${entity}/${sourcedId}`);
  }

  /** Deletes a record upstream the OneRoster way: it stays, as `tobedeleted`, with a new dateLastModified. */
  markDeleted(entity: EntityName, sourcedId: string): void {
    const r = this.record(entity, sourcedId);
    r.status = 'tobedeleted';
    r.dateLastModified = new Date();
    this.rendered.delete(`${entity}/${sourcedId}`);
  }

  /** A record's JSON exactly as this server sends it. */
  wire(entity: EntityName, r: SimRecord): Record<string, unknown> {
    const key = `${entity}/${r.sourcedId}`;
    let json = this.rendered.get(key);
    if (!json) this.rendered.set(key, (json = renderRecord(entity, r, this.dialect, this.baseUrl)));
    return json;
  }

  // ---- faults and tokens --------------------------------------------------------------------

  fault(endpoint: string, plan: SimFaultPlan | Fault): this {
    this.plans.add(endpoint, plan);
    return this;
  }

  clearFaults(): void {
    this.plans.clear();
    this.expireWhen = [];
  }

  /** Every token issued so far stops working. */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Expires every token when the first request matching `when` arrives (before it is authorised). */
  expireTokensOn(when: (req: SimRequest) => boolean): void {
    this.expireWhen.push(when);
  }

  /** Requests to a collection (by endpoint name, e.g. `users`). */
  collectionRequests(endpoint?: string): SimRequest[] {
    return this.requests.filter((r) => r.entity !== undefined && r.entity !== 'token' && (endpoint === undefined || r.entity === endpoint));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of raw) chunks.push(c as Buffer);
    const url = new URL(raw.url ?? '/', this.url);
    const req: SimRequest = { method: raw.method ?? 'GET', url, path: url.pathname, headers: raw.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.requests.push(req);
    const origWriteHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      req.status = status;
      return (origWriteHead as (...a: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof res.writeHead;
    try {
      await this.route(req, res);
    } catch (err) {
      if (!res.headersSent) writeReply(res, { status: 500, json: { message: `simulator error: ${(err as Error).message}` } });
    }
  }

  private async route(req: SimRequest, res: ServerResponse): Promise<void> {
    if (this.opts.auth.kind === 'oauth2' && req.path === this.tokenPath) {
      req.entity = 'token';
      const fault = this.takeFault('token', req);
      if (fault) return applyFault(fault, res, async () => this.issueToken(req));
      return writeReply(res, req.method === 'POST' ? this.issueToken(req) : { status: 405, json: { error: 'invalid_request' } });
    }
    const base = `${this.prefix}${this.basePath}/`;
    const name = req.path.startsWith(base) ? req.path.slice(base.length) : undefined;
    const endpoint = name !== undefined ? ENDPOINTS[name] : undefined;
    if (!endpoint || req.method !== 'GET' || (name === 'academicSessions' && this.termsOnly)) {
      return writeReply(res, statusInfo(this.dialect, 404, 'unknownobject', `No endpoint ${req.method} ${req.path}`));
    }
    req.entity = name;
    for (const when of this.expireWhen) {
      if (!when(req)) continue;
      this.expireWhen = this.expireWhen.filter((w) => w !== when);
      this.expireTokens();
      break;
    }
    const refused = await this.authorise(req);
    if (refused) return writeReply(res, refused);
    if (this.opts.forbidden?.includes(endpoint.entity)) {
      return writeReply(res, statusInfo(this.dialect, 403, 'forbidden', `The client may not read ${name}`));
    }
    if (this.opts.delayMs) await sleep(this.opts.delayMs);
    const fault = this.takeFault(name!, req);
    if (fault) return applyFault(fault, res, async () => this.collection(req, name!, endpoint));
    writeReply(res, this.collection(req, name!, endpoint));
  }

  private takeFault(endpoint: string, req: SimRequest): Fault | undefined {
    return this.plans.take([endpoint, '*'], req);
  }

  private collection(req: SimRequest, name: string, endpoint: { entity: EntityName; key: string }): Reply {
    const filter = this.opts.filters === false && req.url.searchParams.has('filter') ? 'invalid' : parseFilter(req.url.searchParams.get('filter'));
    if (filter === 'invalid') return statusInfo(this.dialect, 400, 'invalid_filter_field', `Unsupported filter ${req.url.searchParams.get('filter')}`);
    let all = this.district[endpoint.entity];
    if (name === 'terms' && !this.termsOnly) all = all.filter((r) => r.data.type === 'term');
    const selected = all.filter((r) => filter.every((c) => matches(r, c)));
    const int = (p: string, fallback: number) => {
      const v = req.url.searchParams.get(p);
      return v !== null && /^\d+$/.test(v) ? Number(v) : fallback;
    };
    const limit = Math.max(1, Math.min(int('limit', this.opts.defaultLimit ?? 100), this.opts.maxLimit ?? Number.MAX_SAFE_INTEGER));
    const offset = int('offset', 0);
    const page = selected.slice(offset, offset + limit).map((r) => this.wire(endpoint.entity, r));
    const headers: Record<string, string> = {};
    const paging = this.opts.paging ?? 'link';
    if (paging !== 'none') headers['x-total-count'] = String(selected.length);
    if (paging === 'link') {
      const at = (o: number) => {
        const u = new URL(req.url);
        u.searchParams.set('limit', String(limit));
        u.searchParams.set('offset', String(o));
        return u.toString();
      };
      const links = [`<${at(0)}>; rel="first"`];
      if (offset + limit < selected.length) links.push(`<${at(offset + limit)}>; rel="next"`);
      if (offset > 0) links.push(`<${at(Math.max(0, offset - limit))}>; rel="prev"`);
      links.push(`<${at(Math.max(0, Math.floor((selected.length - 1) / limit) * limit))}>; rel="last"`);
      headers.link = links.join(', ');
    }
    return { headers, json: { [endpoint.key]: page } };
  }

  // ---- auth ---------------------------------------------------------------------------------

  private issueToken(req: SimRequest): Reply {
    const a = this.opts.auth;
    if (a.kind !== 'oauth2') return { status: 404, json: {} };
    const form = new URLSearchParams(req.body);
    if (a.appName !== undefined && (req.url.searchParams.get('appName') ?? form.get('appName')) !== a.appName) {
      return { status: 400, json: { error: 'invalid_request', error_description: 'No Campus Application selected' } };
    }
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, json: { error: 'unsupported_grant_type' } };
    const basic = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    let id: string | undefined;
    let secret: string | undefined;
    if (basic && !a.formOnly) {
      const decoded = Buffer.from(basic, 'base64').toString();
      const i = decoded.indexOf(':');
      [id, secret] = [decoded.slice(0, i), decoded.slice(i + 1)];
    } else if (!a.basicOnly) {
      [id, secret] = [form.get('client_id') ?? undefined, form.get('client_secret') ?? undefined];
    }
    if (id !== a.clientId || secret !== a.clientSecret) {
      return { status: 401, headers: { 'www-authenticate': 'Basic realm="oneroster"' }, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    }
    const token = `sim_${randomBytes(16).toString('hex')}`;
    const ttl = a.tokenTtlSeconds ?? 3600;
    this.tokens.set(token, Date.now() + ttl * 1000);
    this.issuedTokens.push(token);
    return { json: { access_token: token, token_type: 'bearer', expires_in: ttl, scope: form.get('scope') ?? undefined } };
  }

  private async authorise(req: SimRequest): Promise<Reply | undefined> {
    const a = this.opts.auth;
    if (a.kind === 'none') return undefined;
    if (a.kind === 'oauth2') {
      const token = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
      const until = token ? this.tokens.get(token) : undefined;
      if (until !== undefined && until > Date.now()) return undefined;
      const reply = statusInfo(this.dialect, 401, 'unauthorisedrequest', token ? 'The access token expired or is not valid' : 'No access token');
      return { ...reply, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
    }
    const result = await verifyOAuth1(
      { method: req.method, url: req.url.toString(), authorization: req.headers.authorization },
      {
        lookupSecret: async (key) => (key === a.consumerKey ? a.consumerSecret : undefined),
        rememberNonce: async (key, nonce) => {
          if (this.nonces.has(`${key} ${nonce}`)) return false;
          this.nonces.add(`${key} ${nonce}`);
          return true;
        },
      },
    );
    if (result.ok) {
      const header = String(req.headers.authorization);
      this.oauth1.methods.push(/oauth_signature_method="([^"]+)"/.exec(header)?.[1] ?? '?');
      this.oauth1.nonces.push(/oauth_nonce="([^"]+)"/.exec(header)?.[1] ?? '?');
      return undefined;
    }
    this.oauth1.rejected.push(result.reason);
    return statusInfo(this.dialect, 401, 'unauthorisedrequest', result.reason);
  }
}
