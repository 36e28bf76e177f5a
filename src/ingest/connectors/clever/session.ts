import type { Dispatcher } from 'undici';
import { parseInput } from '../../../auth/input.js';
import {
  BudgetRegistry, ConnectorError, ConnectorHttp, bearerTokenAuth, clever, isConnectorError, jsonLinksNext, nextLinkPages, parseHttpConfig,
  type AuthProvider, type Clock, type HttpConfigInput, type QueryInput, type Random,
} from '../core/index.js';
import type { ConnectorContext } from '../types.js';
import { CleverConfig, CleverCredentials, apiBase } from './config.js';
import type { CleverSection, CleverUser } from './wire.js';

/** What a test may swap in: a virtual clock, a fixed random, its own dispatcher, retry settings. */
export interface CleverDeps {
  clock?: Clock;
  random?: Random;
  dispatcher?: Dispatcher;
  /** Retry and timeout settings (the budget comes from the connection's `budgetPerMinute`). */
  http?: Omit<HttpConfigInput, 'budget'>;
}

export type CleverCtx = ConnectorContext<unknown, unknown>;

/** The items of a Clever list: `{"data": [{"data": {...}, "uri"}]}`. */
function cleverItems<T>(body: unknown): T[] {
  const data = body && typeof body === 'object' ? (body as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw new Error('the body has no "data" array');
  return data.map((item, i) => {
    const inner = item && typeof item === 'object' ? (item as { data?: unknown }).data : undefined;
    if (!inner || typeof inner !== 'object' || typeof (inner as { id?: unknown }).id !== 'string') throw new Error(`item ${i} has no data.id`);
    return inner as T;
  });
}

/** Clever's next links are root-relative and usually keep `limit`; when one does not, it is put back. */
function nextWithLimit(body: unknown, limit: number): string | undefined {
  const link = jsonLinksNext(body);
  if (!link) return undefined;
  const absolute = /^https?:\/\//i.test(link);
  const u = new URL(link, 'http://relative.invalid');
  if (u.searchParams.has('limit')) return link;
  u.searchParams.set('limit', String(limit));
  return absolute ? u.toString() : `${u.pathname}${u.search}`;
}

/** The same failure with a message an admin reads first (the technical detail is kept). */
export function rephrase(err: ConnectorError, adminMessage: string): ConnectorError {
  return new ConnectorError({ ...err.toJSON(), adminMessage });
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
export { plural };

/**
 * One connection's conversation with Clever for one run (or one "Test connection"): the district
 * token, the HTTP client with the Clever profile and the connection's request budget, listings,
 * and the sections read once for classes, enrollments and placeholder courses.
 */
export class CleverSession {
  readonly config: CleverConfig;
  readonly http: ConnectorHttp;
  /** The district the token belongs to, when the token endpoint said. */
  districtId?: string;
  private readonly tokenHttp?: ConnectorHttp;
  private readonly auth: AuthProvider;
  private readonly memos = new Map<string, Promise<unknown>>();

  constructor(private readonly ctx: CleverCtx, deps: CleverDeps, budgets: BudgetRegistry) {
    this.config = parseInput(CleverConfig, ctx.config ?? {}, 'Clever settings');
    const credentials = parseInput(CleverCredentials, ctx.credentials ?? {}, 'Clever credentials (a client id and secret, or a district token)');
    this.districtId = this.config.districtId;
    const http = parseHttpConfig({ ...deps.http, budget: null });
    const common = { clock: deps.clock, random: deps.random, dispatcher: deps.dispatcher, log: ctx.log, headers: { accept: 'application/json' } };
    if ('districtToken' in credentials) {
      const header = `Bearer ${credentials.districtToken}`;
      this.auth = { authorize: () => ({ authorization: header }), secrets: () => [credentials.districtToken] };
    } else {
      const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
      this.tokenHttp = new ConnectorHttp({
        ...common, connection: { id: ctx.connectionId }, profile: clever, config: http,
        auth: { authorize: () => ({ authorization: `Basic ${basic}` }), secrets: () => [basic, credentials.clientSecret] },
      });
      const bearer = bearerTokenAuth(() => this.fetchToken());
      this.auth = { ...bearer, secrets: () => [...bearer.secrets(), basic, credentials.clientSecret] };
    }
    const budget = budgets.for(`${ctx.connectionId}:${this.config.budgetPerMinute}`, { requests: this.config.budgetPerMinute, perMs: 60_000 });
    this.http = new ConnectorHttp({ ...common, connection: { id: ctx.connectionId }, profile: clever, baseUrl: apiBase(this.config.baseUrl), config: http, budget, auth: this.auth });
  }

  /** The session of this run (one token, one client for every entity's pull). */
  static of(ctx: CleverCtx, deps: CleverDeps, budgets: BudgetRegistry): CleverSession {
    let s = ctx.runCache.get('clever:session') as CleverSession | undefined;
    if (!s) ctx.runCache.set('clever:session', (s = new CleverSession(ctx, deps, budgets)));
    return s;
  }

  get signal(): AbortSignal {
    return this.ctx.signal;
  }

  /** Fetches the district token now (client credentials); a no-op for a district token. */
  async authorize(): Promise<void> {
    await this.auth.authorize({ method: 'GET', url: new URL(apiBase(this.config.baseUrl)) });
  }

  /**
   * GET tokenUrl?owner_type=district with HTTP Basic: one entry per district connected to the
   * application; the connection's `districtId` picks one when there are several.
   */
  private async fetchToken(): Promise<string> {
    const http = this.tokenHttp!;
    const host = new URL(this.config.tokenUrl).host;
    let res;
    try {
      res = await http.getJson<{ data?: unknown }>(this.config.tokenUrl, {
        query: { owner_type: 'district', district: this.config.districtId }, entity: 'the district token', signal: this.signal,
      });
    } catch (err) {
      if (isConnectorError(err) && (err.status === 401 || err.status === 403)) {
        throw rephrase(err, `${err.status} from Clever (${host}): the client id and secret were refused (check the Clever application's client id and secret in the connection settings)`);
      }
      throw err;
    }
    const raw = Array.isArray(res.data?.data) ? (res.data.data as unknown[]) : [];
    type Entry = { access_token?: unknown; owner?: { type?: unknown; id?: unknown } };
    const entries = raw
      .map((e) => ((e as { data?: Entry })?.data ?? e) as Entry)
      .filter((e) => typeof e?.access_token === 'string' && (e.owner?.type === undefined || e.owner.type === 'district'));
    const wanted = this.config.districtId;
    const matching = wanted ? entries.filter((e) => e.owner?.id === wanted) : entries;
    const fail = (adminMessage: string) =>
      http.error({ entity: 'the district token', status: res.status, attempts: res.attempts, retryable: false, category: 'auth', adminMessage, technical: { url: http.redactor.url(res.url), detail: `${entries.length} district tokens listed` } });
    if (matching.length === 0) {
      throw fail(wanted
        ? `Clever lists no token for district ${wanted} (the district has not connected this Clever application, or disconnected it: check the district id in the connection settings and the application in the Clever dashboard)`
        : 'Clever lists no district for this application (no district has connected it yet: the district must add the application in its Clever dashboard)');
    }
    if (matching.length > 1) {
      const ids = matching.map((e) => String(e.owner?.id ?? '?')).slice(0, 10).join(', ');
      throw fail(`this Clever application is connected to ${matching.length} districts (${ids}): set districtId in the connection settings to the district this connection is for`);
    }
    const owner = matching[0].owner?.id;
    if (typeof owner === 'string') this.districtId = owner;
    return matching[0].access_token as string;
  }

  /** Every page of a Clever list, as its records. `label` names it for admins ("students", "sections"). */
  async *pages<T>(path: string, label: string, query: QueryInput = {}): AsyncGenerator<T[]> {
    const limit = this.config.pageSize;
    const listing = nextLinkPages<T>({
      http: this.http, url: path, query: { ...query, limit }, entity: label, signal: this.signal,
      items: (body) => cleverItems<T>(body), nextLink: (body) => nextWithLimit(body, limit),
    });
    try {
      for await (const page of listing) yield page.items;
    } catch (err) {
      const page = isConnectorError(err) ? err.technical.context?.page : undefined;
      if (isConnectorError(err) && typeof page === 'number' && page > 1) {
        throw rephrase(err, `Clever ${label}, page ${page}: ${err.adminMessage}`);
      }
      throw err;
    }
  }

  async all<T>(path: string, label: string, query: QueryInput = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(path, label, query)) out.push(...page);
    return out;
  }

  /** One record (`{"data": {...}}`); undefined when Clever says 404 (deleted, or not shared). */
  async one<T>(path: string, label: string): Promise<T | undefined> {
    try {
      const res = await this.http.getJson<{ data?: T }>(path, { entity: label, signal: this.signal });
      return res.data?.data ?? undefined;
    } catch (err) {
      if (isConnectorError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  /** `read()` once per session (run) under `key`; every caller gets the same result, or the same failure. */
  memo<T>(key: string, read: () => Promise<T>): Promise<T> {
    let p = this.memos.get(key) as Promise<T> | undefined;
    if (!p) this.memos.set(key, (p = read()));
    return p;
  }

  /** Every section, read once per run for classes, enrollments and placeholder courses. */
  sections(): Promise<CleverSection[]> {
    return this.memo('sections', () => this.all<CleverSection>('sections', 'sections'));
  }

  /** The ids of a student's contacts (`/users/{id}/mycontacts`); none when contacts are not shared. */
  async contactIdsOf(studentId: string): Promise<string[]> {
    try {
      const contacts = await this.all<CleverUser>(`users/${encodeURIComponent(studentId)}/mycontacts`, 'student contacts');
      return contacts.map((c) => c.id);
    } catch (err) {
      if (isConnectorError(err) && (err.status === 403 || err.status === 404)) return [];
      throw err;
    }
  }
}
