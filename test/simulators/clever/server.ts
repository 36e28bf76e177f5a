import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyFault, writeReply, type Reply } from '../faults/faults.js';
import { FaultPlans, type FaultPlanOf } from '../faults/plans.js';
import { generateDistrict, type DistrictData, type DistrictOptions, type IdSource, type SimSection, type SimUser } from './district.js';

/** A request as the simulator saw it (and how it answered). */
export interface CleverRequest {
  method: string;
  url: URL;
  /** Path without the `/v3.0` prefix for API routes: `/users`, `/users/{id}/mycontacts`, `/events`. */
  route: string;
  /** For lists: the 1-based page, from `starting_after` and `limit`. */
  page?: number;
  status?: number;
}

/** A fault for the requests that match `when`, the next `times` of them (default: every matching request). */
export type FaultPlan = FaultPlanOf<CleverRequest>;

export interface CleverSimOptions {
  district: DistrictOptions | { data: DistrictData; ids: IdSource };
  clientId?: string;
  clientSecret?: string;
  /** The simulator's clock (X-RateLimit-Reset, event times, retention). */
  now?: () => number;
  /** Requests a minute per token, fixed window (Clever: 1,200). */
  rateLimitPerMinute?: number;
  /** Whether contacts are shared with the application (otherwise `role=contact` is a 403). */
  shareContacts?: boolean;
  /** Where events carry `previous_attributes`: inside `data` (default) or beside it, as the swagger has it. */
  previousAttributes?: 'inside' | 'beside';
  /** Other districts connected to the same application (their tokens are listed too). */
  otherDistricts?: string[];
}

type RecordType = 'districts' | 'schools' | 'terms' | 'courses' | 'sections' | 'users';
type AnyRecord = { id: string } & Record<string, unknown>;
type SimEvent = { id: string; type: string; created: string; data: { object: AnyRecord; previous_attributes?: Record<string, unknown> }; previous_attributes?: Record<string, unknown> };

const RETENTION_MS = 30 * 24 * 3600_000;
const MAX_LIMIT = 10_000;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, json: body, headers });

/**
 * A Clever API v3.0 simulator on a real HTTP server: the token endpoint (HTTP Basic, district-app
 * tokens listed per district), the data endpoints in the double-nested shape with `links`
 * paging by `starting_after`, `/users/{id}` and `/users/{id}/mycontacts`, `/events` fed by the
 * mutation methods, X-RateLimit-* headers on every answer, and switchable faults: 429 with
 * X-RateLimit-Reset, 5xx bursts, a page that keeps failing, expired tokens.
 */
export class CleverSimulator {
  readonly data: DistrictData;
  readonly events: SimEvent[] = [];
  readonly requests: CleverRequest[] = [];
  readonly clientId: string;
  readonly clientSecret: string;
  shareContacts: boolean;
  private readonly ids: IdSource;
  private readonly now: () => number;
  private readonly plans = new FaultPlans<CleverRequest>();
  private readonly validTokens = new Set<string>();
  private current?: string;
  private tokenNo = 0;
  private readonly windows = new Map<string, { window: number; count: number }>();
  private expireOn?: { when: (req: CleverRequest) => boolean };

  private constructor(private readonly server: Server, readonly url: string, private readonly o: CleverSimOptions) {
    const district = 'data' in o.district ? o.district : generateDistrict(o.district);
    this.data = district.data;
    this.ids = district.ids;
    this.now = o.now ?? Date.now;
    this.clientId = o.clientId ?? 'sim-client-id';
    this.clientSecret = o.clientSecret ?? 'sim-client-secret-value';
    this.shareContacts = o.shareContacts ?? true;
  }

  static async start(o: CleverSimOptions): Promise<CleverSimulator> {
    const server = createServer();
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sim = new CleverSimulator(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, o);
    server.on('request', (req, res) => void sim.handle(req, res));
    return sim;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth/tokens`;
  }

  get districtId(): string {
    return this.data.district.id;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------------------- faults

  fault(plan: FaultPlan): this {
    this.plans.add('*', plan);
    return this;
  }

  clearFaults(): void {
    this.plans.clear();
    this.expireOn = undefined;
  }

  /** The next `times` matching API requests get 429 with X-RateLimit-Reset `resetInSeconds` from now (epoch seconds). */
  rateLimit(o: { times?: number; resetInSeconds: number; when?: (req: CleverRequest) => boolean }): this {
    return this.fault({
      times: o.times ?? 1, when: o.when,
      fault: () => ({
        kind: 'status', status: 429, json: { message: 'Too Many Requests' },
        headers: { 'x-ratelimit-limit': String(this.o.rateLimitPerMinute ?? 1200), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(this.now() / 1000) + o.resetInSeconds) },
      }),
    });
  }

  /** A burst of server errors on the next `times` matching API requests. */
  serverErrors(o: { times: number; status?: number; when?: (req: CleverRequest) => boolean }): this {
    return this.fault({ times: o.times, when: o.when, fault: { kind: 'status', status: o.status ?? 503, json: { message: 'Service Unavailable' } } });
  }

  /** Page `page` of a list (`route` e.g. `/users`, with `query` e.g. `{ role: 'student' }`) fails with `status`, every time unless `times`. */
  failPage(o: { route: string; page: number; query?: Record<string, string>; status?: number; times?: number }): this {
    return this.fault({
      times: o.times,
      when: (r) => r.route === o.route && r.page === o.page && Object.entries(o.query ?? {}).every(([k, v]) => r.url.searchParams.get(k) === v),
      fault: { kind: 'status', status: o.status ?? 500, json: { message: 'Internal Server Error' } },
    });
  }

  /** Every token handed out so far stops working (401) until a new one is fetched. */
  expireTokens(): void {
    this.validTokens.clear();
    this.current = undefined;
  }

  /** Tokens expire when the first request matching `when` arrives (mid-run expiry). */
  expireTokensOn(when: (req: CleverRequest) => boolean): void {
    this.expireOn = { when };
  }

  /** A valid district token, as a district would hand one over. */
  districtToken(): string {
    return this.currentToken();
  }

  hits(route: string, pred: (r: CleverRequest) => boolean = () => true): number {
    return this.requests.filter((r) => r.route === route && pred(r)).length;
  }

  // ---------------------------------------------------------------------------- mutations

  private list(type: RecordType): AnyRecord[] {
    return type === 'districts' ? [this.data.district as AnyRecord] : (this.data[type] as unknown as AnyRecord[]);
  }

  find<T = AnyRecord>(type: RecordType, id: string): T | undefined {
    return this.list(type).find((r) => r.id === id) as T | undefined;
  }

  /** Changes a record and records `<type>.updated` with the previous values of the changed fields. */
  update(type: RecordType, id: string, mutate: (r: any) => void, o: { created?: number } = {}): void {
    const rec = this.find(type, id);
    if (!rec) throw new Error(`no ${type} ${id}`);
    const before = structuredClone(rec);
    mutate(rec);
    rec.last_modified = new Date(o.created ?? this.now()).toISOString();
    const previous: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(rec)])) {
      if (k !== 'last_modified' && JSON.stringify(before[k]) !== JSON.stringify(rec[k])) previous[k] = before[k] ?? null;
    }
    this.recordEvent(type, 'updated', rec, previous, o.created);
  }

  /** Adds a record (a new id unless given) and records `<type>.created`. */
  create(type: Exclude<RecordType, 'districts'>, rec: Omit<AnyRecord, 'id'> & { id?: string }): string {
    const id = rec.id ?? this.ids.next();
    const stamp = new Date(this.now()).toISOString();
    const full = { ...rec, id, created: stamp, last_modified: stamp } as AnyRecord;
    const list = this.list(type);
    list.push(full);
    list.sort((a, b) => (a.id < b.id ? -1 : 1));
    this.recordEvent(type, 'created', full);
    return id;
  }

  /**
   * Removes a record and records `<type>.deleted`. A removed user also leaves the sections it was in
   * and the relationships of its contacts (each recorded as an update), as Clever does.
   */
  remove(type: Exclude<RecordType, 'districts'>, id: string): void {
    const list = this.list(type);
    const i = list.findIndex((r) => r.id === id);
    if (i < 0) throw new Error(`no ${type} ${id}`);
    const [rec] = list.splice(i, 1);
    if (type === 'users') {
      for (const s of this.data.sections) {
        if (s.students?.includes(id) || s.teachers?.includes(id) || s.teacher === id) {
          this.update('sections', s.id, (x: SimSection) => {
            x.students = (x.students ?? []).filter((u) => u !== id);
            x.teachers = (x.teachers ?? []).filter((u) => u !== id);
            if (x.teacher === id) x.teacher = x.teachers[0] ?? null;
          });
        }
      }
      for (const c of this.data.users) {
        const rel = c.roles?.contact?.student_relationships;
        if (rel?.some((r) => r.student === id)) {
          this.update('users', c.id, (x: SimUser) => {
            x.roles!.contact!.student_relationships = rel.filter((r) => r.student !== id);
          });
        }
      }
    }
    this.recordEvent(type, 'deleted', rec);
  }

  /** Records an event as it is (for stale or old events); `created` defaults to now. */
  recordEvent(type: RecordType, action: 'created' | 'updated' | 'deleted', object: AnyRecord, previous?: Record<string, unknown>, created?: number): void {
    const e: SimEvent = { id: this.ids.next(), type: `${type}.${action}`, created: new Date(created ?? this.now()).toISOString(), data: { object: structuredClone(object) } };
    if (previous && Object.keys(previous).length) {
      if (this.o.previousAttributes === 'beside') e.previous_attributes = structuredClone(previous);
      else e.data.previous_attributes = structuredClone(previous);
    }
    this.events.push(e);
  }

  // ------------------------------------------------------------------------------- serving

  private currentToken(): string {
    if (!this.current) {
      this.current = createHash('sha1').update(`${this.clientSecret}:${++this.tokenNo}`).digest('hex');
      this.validTokens.add(this.current);
    }
    return this.current;
  }

  private async handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of raw); // drain
    const url = new URL(raw.url ?? '/', this.url);
    const req: CleverRequest = { method: raw.method ?? 'GET', url, route: url.pathname.replace(/^\/v3\.0(?=\/)/, '') };
    this.requests.push(req);
    try {
      if (url.pathname === '/oauth/tokens') return this.send(res, req, this.tokens(raw, url));
      if (!url.pathname.startsWith('/v3.0/')) return this.send(res, req, json(404, { message: 'Not Found' }));
      if (this.expireOn?.when(req)) {
        this.expireOn = undefined;
        this.expireTokens();
      }
      const token = /^Bearer (.+)$/i.exec(raw.headers.authorization ?? '')?.[1];
      if (!token || !this.validTokens.has(token)) return this.send(res, req, json(401, { message: 'Unauthorized: invalid or expired token' }));
      const limit = this.rateHeaders(token);
      if (limit.exceeded) return this.send(res, req, json(429, { message: 'Too Many Requests' }, limit.headers));
      req.page = this.pageOf(req);
      const fault = this.plans.take(['*'], req);
      if (fault) {
        req.status = fault.kind === 'status' ? fault.status : undefined;
        await applyFault(fault, res, async () => this.answer(req));
        return;
      }
      const reply = this.answer(req);
      this.send(res, req, { ...reply, headers: { ...limit.headers, ...reply.headers } });
    } catch (err) {
      if (!res.headersSent) this.send(res, req, json(500, { message: `simulator error: ${(err as Error).message}` }));
    }
  }

  private send(res: ServerResponse, req: CleverRequest, reply: Reply): void {
    req.status = reply.status ?? 200;
    writeReply(res, reply);
  }

  /** GET /oauth/tokens?owner_type=district[&district=…], HTTP Basic with the application's id and secret. */
  private tokens(raw: IncomingMessage, url: URL): Reply {
    const basic = /^Basic (.+)$/i.exec(raw.headers.authorization ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    if (id !== this.clientId || secret !== this.clientSecret) return json(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
    if (raw.method !== 'GET' || url.searchParams.get('owner_type') !== 'district') return json(400, { message: 'owner_type=district is required' });
    const entry = (districtId: string, token: string) => ({
      id: createHash('md5').update(districtId).digest('hex').slice(0, 24), created: '2024-07-01T12:00:00.000Z', owner: { type: 'district', id: districtId }, access_token: token,
      scopes: ['read:district_admins', 'read:districts', 'read:schools', 'read:sections', 'read:students', 'read:teachers', 'read:user_id', ...(this.shareContacts ? ['read:student_contacts'] : [])],
    });
    let data = [entry(this.districtId, this.currentToken()), ...(this.o.otherDistricts ?? []).map((d) => entry(d, createHash('sha1').update(d).digest('hex')))];
    const wanted = url.searchParams.get('district');
    if (wanted) data = data.filter((d) => d.owner.id === wanted);
    return json(200, { data, links: [{ rel: 'self', uri: `/oauth/tokens${url.search}` }] });
  }

  private rateHeaders(token: string): { exceeded: boolean; headers: Record<string, string> } {
    const max = this.o.rateLimitPerMinute ?? 1200;
    const window = Math.floor(this.now() / 60_000);
    const w = this.windows.get(token);
    const state = w && w.window === window ? w : { window, count: 0 };
    state.count++;
    this.windows.set(token, state);
    return {
      exceeded: state.count > max,
      headers: { 'x-ratelimit-limit': String(max), 'x-ratelimit-remaining': String(Math.max(0, max - state.count)), 'x-ratelimit-reset': String((window + 1) * 60) },
    };
  }

  private collection(req: CleverRequest): AnyRecord[] | Reply | undefined {
    const p = req.url.searchParams;
    const r = req.route;
    if (r === '/districts') return [this.data.district as AnyRecord];
    if (r === '/schools' || r === '/terms' || r === '/courses' || r === '/sections') return this.list(r.slice(1) as RecordType);
    if (r === '/users') {
      const role = p.get('role');
      if (role === 'contact' && !this.shareContacts) return json(403, { message: 'Forbidden: this application may not read contacts' });
      const visible = this.data.users.filter((u) => this.shareContacts || !u.roles?.contact || Object.keys(u.roles).length > 1).map((u) => this.shared(u));
      return role ? visible.filter((u) => (u.roles as Record<string, unknown> | undefined)?.[role]) : visible;
    }
    const contacts = /^\/users\/([^/]+)\/mycontacts$/.exec(r);
    if (contacts) {
      if (!this.find('users', contacts[1])) return json(404, { message: 'Resource not found' });
      if (!this.shareContacts) return json(403, { message: 'Forbidden: this application may not read contacts' });
      return this.data.users.filter((u) => u.roles?.contact?.student_relationships?.some((x) => x.student === contacts[1]));
    }
    if (r === '/events') {
      const oldest = this.now() - RETENTION_MS;
      return this.events.filter((e) => Date.parse(e.created) >= oldest) as unknown as AnyRecord[];
    }
    return undefined;
  }

  /** A user as the application may see it: without the contact role when contacts are not shared. */
  private shared(u: SimUser): AnyRecord {
    if (this.shareContacts || !u.roles?.contact) return u as unknown as AnyRecord;
    const { contact: _hidden, ...roles } = u.roles;
    return { ...u, roles } as unknown as AnyRecord;
  }

  private pageOf(req: CleverRequest): number | undefined {
    const items = this.collection(req);
    if (!Array.isArray(items)) return undefined;
    const limit = Number(req.url.searchParams.get('limit') ?? 100);
    const after = req.url.searchParams.get('starting_after');
    const start = after === null ? 0 : items.filter((x) => x.id <= after).length;
    return Math.floor(start / Math.max(1, limit)) + 1;
  }

  private answer(req: CleverRequest): Reply {
    const one = /^\/users\/([^/]+)$/.exec(req.route);
    if (one) {
      const found = this.find<SimUser>('users', one[1]);
      const u = found && (this.shareContacts || !found.roles?.contact || Object.keys(found.roles).length > 1) ? this.shared(found) : undefined;
      return u ? json(200, { data: u, links: [{ rel: 'self', uri: `/v3.0/users/${u.id}` }] }) : json(404, { message: 'Resource not found' });
    }
    const items = this.collection(req);
    if (items === undefined) return json(404, { message: 'Not Found' });
    if (!Array.isArray(items)) return items;
    const p = req.url.searchParams;
    const limit = p.has('limit') ? Number(p.get('limit')) : 100;
    if (!Number.isInteger(limit) || limit < 1) return json(400, { message: 'limit must be a positive integer' });
    if (limit > MAX_LIMIT) return json(413, { message: `limit must be at most ${MAX_LIMIT}` });
    const after = p.get('starting_after');
    let page: AnyRecord[];
    if (p.get('ending_before') === 'last') page = items.slice(-limit);
    else {
      const start = after === null ? 0 : items.filter((x) => x.id <= after).length;
      page = items.slice(start, start + limit);
    }
    const self = `${req.url.pathname}${req.url.search}`;
    const links: Array<{ rel: string; uri: string }> = [{ rel: 'self', uri: self }];
    const last = page[page.length - 1];
    if (last && items[items.length - 1].id !== last.id && p.get('ending_before') === null) {
      const next = new URL(req.url);
      next.searchParams.set('starting_after', last.id);
      links.push({ rel: 'next', uri: `${next.pathname}${next.search}` });
    }
    const base = req.url.pathname;
    return json(200, { data: page.map((d) => ({ data: d, uri: `${base}/${d.id}` })), links });
  }
}

export { generateDistrict };
