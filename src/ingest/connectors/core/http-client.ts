import type { Dispatcher } from 'undici';
import type { Logger } from '../../../log.js';
import { sendAttempt, type AttemptResult } from './attempt.js';
import type { AuthProvider } from './auth.js';
import type { Random } from './backoff.js';
import { RequestBudget } from './budget.js';
import { systemClock, type Clock } from './clock.js';
import { parseHttpConfig, type HttpConfig, type HttpConfigInput } from './config.js';
import { ConnectorError, type ConnectorErrorInit, type TechnicalDetail } from './connector-error.js';
import { findRule } from './error-rules.js';
import type { AttemptFailure, FailureFacts } from './failure.js';
import type { HeaderMap } from './headers.js';
import { genericProfile, type VendorProfile } from './profile.js';
import { Redactor } from './redact.js';
import { decideRetry } from './retry-decision.js';
import { parseWaitHeader } from './wait-hints.js';

export interface ConnectionRef {
  id: string;
  /** Defaults to the profile's vendor id. */
  vendor?: string;
}

export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];
export type QueryInput = Readonly<Record<string, QueryValue>>;

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Absolute, or relative to the client's base URL (joined as a path: `users` or `/users`). */
  url: string | URL;
  query?: QueryInput;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  json?: unknown;
  /** What is being read, for admin messages: `students`, `sections`… */
  entity?: string;
  parse?: 'json' | 'text';
  /** `false` for requests that must not carry the connection's credentials (the token request itself). */
  auth?: boolean;
  /** Extra technical context for errors (page, offset…). */
  context?: Record<string, string | number>;
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: HeaderMap;
  data: T;
  text: string;
  /** The URL answered, unredacted: for following links, never for logs. */
  url: string;
  attempts: number;
}

export type HttpEvent =
  | { type: 'attempt'; attempt: number; method: string; url: string; at: number }
  | { type: 'retry'; attempt: number; reason: string; waitMs: number; waitSource: string; status?: number }
  | { type: 'refresh'; attempt: number }
  | { type: 'pause'; waitMs: number; header: string };

export interface ConnectorHttpOptions {
  connection: ConnectionRef;
  profile?: VendorProfile;
  baseUrl?: string;
  /** Retry, timeout and budget settings (validated); the budget defaults to the profile's. */
  config?: HttpConfigInput;
  /** A budget shared with other clients of the same connection (see `BudgetRegistry`). */
  budget?: RequestBudget;
  auth?: AuthProvider;
  /** Headers sent with every request (e.g. `accept`). */
  headers?: Record<string, string>;
  clock?: Clock;
  random?: Random;
  dispatcher?: Dispatcher;
  log?: Logger;
  onEvent?: (e: HttpEvent) => void;
}

/**
 * The one HTTP client of every connector: base URL, credentials, the connection's request budget,
 * per-attempt timeouts, the retry rule, and actionable redacted errors. Connectors only say what to
 * fetch. Non-2xx answers and transport failures come out as a `ConnectorError` after the retries.
 */
export class ConnectorHttp {
  readonly connection: Required<ConnectionRef>;
  readonly profile: VendorProfile;
  readonly baseUrl?: string;
  readonly config: HttpConfig;
  readonly budget?: RequestBudget;
  readonly clock: Clock;
  readonly redactor: Redactor;
  private readonly options: ConnectorHttpOptions;

  constructor(options: ConnectorHttpOptions) {
    this.options = options;
    this.profile = options.profile ?? genericProfile;
    this.connection = { id: options.connection.id, vendor: options.connection.vendor ?? this.profile.vendor };
    this.baseUrl = options.baseUrl;
    this.config = parseHttpConfig(options.config ?? {});
    this.clock = options.clock ?? systemClock;
    const budgetInput = this.config.budget === null ? undefined : this.config.budget ?? this.profile.budget;
    this.budget = options.budget ?? (budgetInput ? new RequestBudget(budgetInput, this.clock) : undefined);
    this.redactor = new Redactor(() => options.auth?.secrets() ?? []);
  }

  /** The same connection (budget, credentials, settings) on another base URL: for version fallback. */
  withBase(baseUrl: string): ConnectorHttp {
    return new ConnectorHttp({ ...this.options, baseUrl, budget: this.budget, config: this.config });
  }

  resolveUrl(target: string | URL, query?: QueryInput): URL {
    const raw = String(target);
    let url: URL;
    if (/^https?:\/\//i.test(raw)) url = new URL(raw);
    else if (this.baseUrl) url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/${raw.replace(/^\/+/, '')}`);
    else throw new ConnectorError({ ...this.who(), attempts: 0, retryable: false, category: 'internal', adminMessage: `no base URL is set for ${this.profile.displayName} (check the connection settings)`, technical: { url: raw } }, this.redactor);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(name, String(v));
      else url.searchParams.set(name, String(value));
    }
    return url;
  }

  getJson<T = unknown>(target: string | URL, req: Omit<HttpRequest, 'url' | 'parse'> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...req, url: target, parse: 'json' });
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method ?? 'GET';
    const url = this.resolveUrl(req.url, req.query);
    const { body, contentType } = encodeBody(req);
    const random = this.options.random ?? Math.random;
    const auth = req.auth === false ? undefined : this.options.auth;
    let attempts = 0;
    let transient = 0;
    let refreshed = false;
    for (;;) {
      if (this.budget) await this.budget.acquire(req.signal);
      attempts++;
      const authHeaders = auth ? await auth.authorize({ method, url }) : {};
      const headers = { ...this.options.headers, ...(contentType ? { 'content-type': contentType } : {}), ...req.headers, ...authHeaders };
      this.emit({ type: 'attempt', attempt: attempts, method, url: this.redactor.url(url), at: this.clock.now() });
      const result = await sendAttempt({ method, url, headers, body, timeoutMs: this.config.timeoutMs, parse: req.parse ?? 'json', dispatcher: this.options.dispatcher, signal: req.signal });
      this.watchRateLimit(result.ok ? result.headers : result.failure.headers);
      if (result.ok) return { status: result.status, headers: result.headers, data: result.data as T, text: result.text, url: url.toString(), attempts };

      const f = result.failure;
      if (f.status === 401 && auth?.refresh && !refreshed) {
        refreshed = true;
        if (await auth.refresh(authHeaders)) {
          this.emit({ type: 'refresh', attempt: attempts });
          continue;
        }
      }
      transient++;
      const facts = this.facts(f, url, attempts, req.entity);
      const rule = findRule(facts, this.profile.errorRules);
      const decision = decideRetry(f, { attempt: transient, policy: this.config.retry, waitHeaders: this.profile.waitHeaders, ruleRetryable: rule.retryable, now: this.clock.now(), random });
      if (!decision.retry) {
        throw this.error({
          entity: req.entity, status: f.status, attempts, retryable: decision.retryable, category: rule.category ?? 'internal',
          adminMessage: rule.admin(facts),
          technical: technical(method, this.redactor.url(url), f, result, { retry: decision.reason, rule: rule.id, context: req.context }),
        });
      }
      if (decision.pauseConnection) this.budget?.pause(decision.waitMs);
      this.options.log?.warn({ connection: this.connection.id, vendor: this.connection.vendor, entity: req.entity, attempt: attempts, status: f.status, reason: decision.reason, waitMs: decision.waitMs, waitSource: decision.waitSource, url: this.redactor.url(url) }, 'connector request failed, retrying');
      this.emit({ type: 'retry', attempt: attempts, reason: decision.reason, waitMs: decision.waitMs, waitSource: decision.waitSource, status: f.status });
      await this.clock.sleep(decision.waitMs, req.signal);
    }
  }

  /** A `ConnectorError` for this connection, for failures found outside a request (paging, version probing). */
  error(init: Omit<ConnectorErrorInit, 'connection' | 'vendor'>): ConnectorError {
    return new ConnectorError({ ...this.who(), ...init }, this.redactor);
  }

  private who() {
    return { connection: this.connection.id, vendor: this.connection.vendor };
  }

  private facts(f: AttemptFailure, url: URL, attempts: number, entity?: string): FailureFacts {
    const { headers: _headers, ...rest } = f;
    return { ...rest, vendorName: this.profile.displayName, entity, host: url.host, path: this.redactor.text(url.pathname), attempts, timeoutMs: this.config.timeoutMs };
  }

  /** "X-RateLimit-Remaining: 0" holds the whole connection until the reset the server names. */
  private watchRateLimit(headers: HeaderMap | undefined): void {
    const spec = this.profile.rateLimit;
    if (!spec || !this.budget || headers?.[spec.remaining]?.trim() !== '0') return;
    const waitMs = parseWaitHeader(headers[spec.reset.name], spec.reset.form, this.clock.now());
    if (waitMs === undefined || waitMs <= 0) return;
    const capped = Math.min(waitMs, this.config.retry.maxWaitMs);
    this.budget.pause(capped);
    this.emit({ type: 'pause', waitMs: capped, header: spec.reset.name });
  }

  private emit(e: HttpEvent): void {
    this.options.onEvent?.(e);
  }
}

function encodeBody(req: HttpRequest): { body?: string; contentType?: string } {
  if (req.json !== undefined) return { body: JSON.stringify(req.json), contentType: 'application/json' };
  if (req.body instanceof URLSearchParams) return { body: req.body.toString(), contentType: 'application/x-www-form-urlencoded' };
  return { body: req.body };
}

function technical(method: string, url: string, f: AttemptFailure, result: AttemptResult, extra: Partial<TechnicalDetail>): TechnicalDetail {
  const failed: { body?: string; detail?: string } = result.ok ? {} : result;
  return {
    method, url, reason: f.reason, status: f.status, networkCode: f.networkCode, vendorCode: f.vendorCode,
    vendorMessage: f.vendorMessage, body: failed.body, detail: failed.detail, ...extra,
  };
}
