import type { Dispatcher } from 'undici';
import { parseInput } from '../../../auth/input.js';
import {
  BudgetRegistry, ConnectorError, ConnectorHttp, InMemoryVersionMemory, resolveVersion, systemClock,
  type AuthProvider, type Clock, type HttpConfigInput, type Random, type VersionMemory,
} from '../core/index.js';
import type { ConnectorContext } from '../types.js';
import { oauth1Signer, oauth2ClientCredentials } from './auth.js';
import { OneRosterApiConfig, OneRosterApiCredentials } from './config.js';
import { oneRosterApiProfile, tokenProfile } from './profile.js';
import { candidatesFor, defaultTokenUrl, splitBaseUrl, versionOfPath } from './urls.js';

/** What the connector can be given besides a connection: for tests (virtual time) and for sharing state in a process. */
export type OneRosterApiDeps = {
  clock?: Clock;
  random?: Random;
  /** Where the base path that answered is remembered between runs (default: this process). */
  versionMemory?: VersionMemory;
  /** Request budgets per connection (default: one registry per process). */
  budgets?: BudgetRegistry;
  /** Retry and timeout settings (the budget comes from `budgetPerMinute`). */
  http?: Omit<HttpConfigInput, 'budget'>;
  dispatcher?: Dispatcher;
};

export type Ctx = ConnectorContext<OneRosterApiConfig, OneRosterApiCredentials>;

/** One run's connection to the server: the client on the base path that answered, and how it was found. */
export type Session = {
  config: OneRosterApiConfig;
  /** The client on the version's base URL. */
  api: ConnectorHttp;
  /** The base path that answered (`/ims/oneroster/v1p1`), or '' for the configured URL itself. */
  basePath: string;
  version: '1.0' | '1.1' | '1.2' | 'custom';
  auth: AuthProvider;
  /** Whether /academicSessions is missing and /terms serves instead (learned once per run). */
  sessionsViaTerms?: boolean;
  /** Makes the next run probe the base paths again (the remembered one stopped answering). */
  forgetVersion(): Promise<void>;
};

const SESSION_KEY = 'oneroster-api:session';
const defaultMemory = new InMemoryVersionMemory();
const defaultBudgets = new BudgetRegistry();

/** A connection's settings and credentials, defaults applied (they were checked when the connection was saved). */
export function settings(ctx: Ctx): { config: OneRosterApiConfig; credentials: OneRosterApiCredentials } {
  return {
    config: parseInput(OneRosterApiConfig, ctx.config, 'OneRoster API settings'),
    credentials: parseInput(OneRosterApiCredentials, ctx.credentials, 'OneRoster API credentials'),
  };
}

/**
 * The run's session, opened once and shared by the pulls of the run (one token, one budget).
 * `fresh` (Test connection) forgets the remembered version and probes again.
 */
export function session(ctx: Ctx, deps: OneRosterApiDeps, fresh = false): Promise<Session> {
  if (!fresh) {
    const cached = ctx.runCache.get(SESSION_KEY) as Promise<Session> | undefined;
    if (cached) return cached;
  }
  const p = openSession(ctx, deps, fresh);
  p.catch(() => {});
  if (!fresh) ctx.runCache.set(SESSION_KEY, p);
  return p;
}

async function openSession(ctx: Ctx, deps: OneRosterApiDeps, fresh: boolean): Promise<Session> {
  const { config, credentials } = settings(ctx);
  const clock = deps.clock ?? systemClock;
  const { root, fullBase } = splitBaseUrl(config.baseUrl);
  const budget = config.budgetPerMinute
    ? (deps.budgets ?? defaultBudgets).for(`${ctx.connectionId}:${config.budgetPerMinute}`, { requests: config.budgetPerMinute, perMs: 60_000 })
    : undefined;
  const common = {
    connection: { id: ctx.connectionId, vendor: 'oneroster' },
    config: { ...deps.http, budget: null },
    budget, clock, random: deps.random, dispatcher: deps.dispatcher, log: ctx.log,
    headers: { accept: 'application/json' },
  };

  let auth: AuthProvider;
  if (config.auth === 'oauth2') {
    const tokenHttp = new ConnectorHttp({
      ...common, profile: tokenProfile(config.scope),
      auth: { authorize: () => ({}), secrets: () => [credentials.clientSecret] }, // for redaction only: the token request carries its own credentials
    });
    const oauth2 = oauth2ClientCredentials({
      http: tokenHttp, tokenUrl: config.tokenUrl ?? defaultTokenUrl(root), clientId: credentials.clientId, clientSecret: credentials.clientSecret,
      scope: config.scope, params: config.tokenParams, clock,
    });
    // The token first: when it cannot be had, that is the one thing to report.
    await oauth2.authorize({ method: 'POST', url: new URL(root) });
    auth = oauth2;
  } else {
    auth = oauth1Signer({ consumerKey: credentials.clientId, consumerSecret: credentials.clientSecret, method: config.oauth1Method });
  }

  if (fullBase) {
    const api = new ConnectorHttp({ ...common, profile: oneRosterApiProfile, auth, baseUrl: fullBase.url });
    const version = config.version === 'auto' ? versionOfPath(fullBase.path) : config.version;
    return { config, api, basePath: fullBase.path, version, auth, forgetVersion: async () => {} };
  }

  const rootHttp = new ConnectorHttp({ ...common, profile: oneRosterApiProfile, auth, baseUrl: root });
  // Remembered per connection, server root and version choice: a changed setting probes again.
  const memory = deps.versionMemory ?? defaultMemory;
  const key = `${ctx.connectionId} ${root} ${config.version}`;
  const keyed: VersionMemory = { get: () => memory.get(key), set: (_id, v) => memory.set(key, v), forget: () => memory.forget(key) };
  if (fresh) await keyed.forget(ctx.connectionId);
  const tried: string[] = [];
  try {
    const resolved = await resolveVersion({
      http: rootHttp,
      candidates: candidatesFor(config.version),
      memory: keyed,
      probe: async (api, candidate) => {
        try {
          return await api.getJson('orgs', { query: { limit: 1 }, entity: 'orgs (API version check)', signal: ctx.signal });
        } catch (err) {
          if (err instanceof ConnectorError) tried.push(`${candidate || '(the URL itself)'} (${err.status ?? err.category})`);
          throw err;
        }
      },
    });
    const version = resolved.version === '' ? (config.version === 'auto' ? 'custom' : config.version) : versionOfPath(resolved.version);
    if (!resolved.remembered) ctx.log.info({ basePath: resolved.version || '(the configured URL)', version }, 'OneRoster API version found');
    return { config, api: resolved.http, basePath: resolved.version, version, auth, forgetVersion: () => keyed.forget(ctx.connectionId) };
  } catch (err) {
    if (err instanceof ConnectorError && err.category === 'version') {
      throw rootHttp.error({
        attempts: err.attempts, retryable: false, category: 'version',
        adminMessage:
          `no OneRoster ${config.version === 'auto' ? '' : `${config.version} `}API answered under ${root} (tried ${tried.join(', ')}): ` +
          'check the base URL (the server root such as https://sis.example.org, a vendor prefix such as …/campus/api/oneroster/v1p1/<appName>, ' +
          'or the full base ending in /ims/oneroster/v1p1 or /ims/oneroster/rostering/v1p2) and the version setting',
        technical: err.technical,
      });
    }
    throw err;
  }
}
