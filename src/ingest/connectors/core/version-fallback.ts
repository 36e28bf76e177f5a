import { ConnectorError } from './connector-error.js';
import type { ConnectorHttp } from './http-client.js';
import type { VersionMemory } from './version-memory.js';

/** Answers that mean "this version/base path is not here": try the next candidate. */
export const WRONG_VERSION_STATUSES: readonly number[] = [404, 405, 410, 501];

export interface VersionFallback {
  /** The connection's client on its server root (the candidates are joined to its base URL). */
  http: ConnectorHttp;
  /** Base paths or versions in order of preference: `['/ims/oneroster/v1p2', '/ims/oneroster/rostering/v1p2', '/ims/oneroster/v1p1']`. */
  candidates: readonly string[];
  memory: VersionMemory;
  /** A cheap request that only a working version answers, relative to the candidate base (e.g. `orgs?limit=1`). */
  probePath?: string;
  /** Or a probe of your own; it throws a ConnectorError when the candidate does not work. */
  probe?: (api: ConnectorHttp, candidate: string) => Promise<unknown>;
  /** Default: a ConnectorError with a status in `WRONG_VERSION_STATUSES`. */
  isWrongVersion?: (err: ConnectorError) => boolean;
}

export interface ResolvedVersion {
  /** The candidate that answered. */
  version: string;
  /** The connection's client on that version's base URL. */
  http: ConnectorHttp;
  /** Whether it came from memory (no probe was made). */
  remembered: boolean;
}

function join(base: string | undefined, candidate: string): string {
  if (/^https?:\/\//i.test(candidate)) return candidate;
  return `${(base ?? '').replace(/\/+$/, '')}/${candidate.replace(/^\/+/, '')}`;
}

const defaultWrongVersion = (err: ConnectorError) => err.status !== undefined && WRONG_VERSION_STATUSES.includes(err.status);

/**
 * The first candidate that answers, remembered per connection. Only a "not here" answer moves on
 * to the next candidate; any other failure (bad credentials, server down) stops the probing and is
 * thrown as it is, so it is reported for what it is and nothing wrong is remembered.
 */
export async function resolveVersion(o: VersionFallback): Promise<ResolvedVersion> {
  const id = o.http.connection.id;
  const at = (candidate: string) => o.http.withBase(join(o.http.baseUrl, candidate));
  const remembered = await o.memory.get(id);
  if (remembered !== undefined && o.candidates.includes(remembered)) return { version: remembered, http: at(remembered), remembered: true };

  const probe = o.probe ?? ((api: ConnectorHttp) => api.request({ url: o.probePath ?? '', entity: 'the API version check', parse: 'text' }));
  const wrong = o.isWrongVersion ?? defaultWrongVersion;
  const tried: string[] = [];
  for (const candidate of o.candidates) {
    const api = at(candidate);
    try {
      await probe(api, candidate);
    } catch (err) {
      if (err instanceof ConnectorError && wrong(err)) {
        tried.push(`${candidate} (${err.status})`);
        continue;
      }
      throw err;
    }
    await o.memory.set(id, candidate);
    return { version: candidate, http: api, remembered: false };
  }
  const host = o.http.baseUrl ? new URL(join(o.http.baseUrl, '')).host : 'the server';
  throw o.http.error({
    attempts: tried.length, retryable: false, category: 'version',
    adminMessage: `no API version Rollcall knows answered at ${host}: tried ${tried.join(', ')} (check the base URL in the connection settings, and that ${o.http.profile.displayName}'s API is turned on for this application)`,
    technical: { url: o.http.baseUrl, detail: `candidates: ${o.candidates.join(', ')}` },
  });
}

/** Forgets a connection's version, so the next `resolveVersion` probes again (after a server upgrade). */
export function forgetVersion(memory: VersionMemory, connectionId: string): Promise<void> {
  return memory.forget(connectionId);
}
