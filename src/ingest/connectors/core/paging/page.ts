import { ConnectorError } from '../connector-error.js';
import type { ConnectorHttp, HttpResponse, QueryInput } from '../http-client.js';

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  /** 1-based. */
  number: number;
  /** The URL of this page, secrets removed. */
  url: string;
  /** The listing's size when the server said (X-Total-Count). */
  total?: number;
}

/** What every paging style needs: where the listing is and how to find the records in a page. */
export interface Listing<T> {
  http: ConnectorHttp;
  /** The first page: a path under the client's base URL, or absolute. */
  url: string;
  query?: QueryInput;
  headers?: Record<string, string>;
  /** The records of a page, from its JSON body (`body.users`, `body.data.map(d => d.data)`, a bare array…). */
  items: (body: unknown, res: HttpResponse) => T[];
  /** For admin messages: `students`, `sections`… */
  entity?: string;
  /** A listing that goes on longer is an error rather than an endless loop (default 100,000). */
  maxPages?: number;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_PAGES = 100_000;

/** Fetches one page; a failure after the retries names the page in its technical detail. */
export async function fetchPage<T>(l: Listing<T>, target: string, query: QueryInput | undefined, context: Record<string, string | number>): Promise<HttpResponse> {
  try {
    return await l.http.getJson(target, { query, headers: l.headers, entity: l.entity, context, signal: l.signal });
  } catch (err) {
    throw err instanceof ConnectorError ? err.withContext(context) : err;
  }
}

/** The page's records; a body of an unexpected shape is the vendor's failure, named as such. */
export function pageItems<T>(l: Listing<T>, res: HttpResponse, number: number): T[] {
  let items: unknown;
  try {
    items = l.items(res.data, res);
  } catch (err) {
    items = err;
  }
  if (Array.isArray(items)) return items as T[];
  throw l.http.error({
    entity: l.entity, status: res.status, attempts: res.attempts, retryable: false, category: 'bad_response',
    adminMessage: `${l.http.profile.displayName} sent page ${number} of ${l.entity ?? 'a listing'} in a shape the connector does not understand (report it with the technical detail)`,
    technical: { url: res.url, status: res.status, body: res.text.slice(0, 500), detail: items instanceof Error ? items.message : 'no array of records', context: { page: number } },
  });
}

export function checkPageCount<T>(l: Listing<T>, number: number): void {
  const max = l.maxPages ?? DEFAULT_MAX_PAGES;
  if (number <= max) return;
  throw l.http.error({
    entity: l.entity, attempts: 0, retryable: false, category: 'bad_response',
    adminMessage: `${l.http.profile.displayName} kept sending pages of ${l.entity ?? 'a listing'} past ${max} (the listing does not end: report it with the technical detail)`,
    technical: { url: l.url, context: { page: number } },
  });
}

/** The records of every page, in order. */
export async function* allItems<T>(pages: AsyncIterable<Page<T>>): AsyncGenerator<T> {
  for await (const page of pages) yield* page.items;
}

/** Every record of a listing in an array (for small listings; stream the pages otherwise). */
export async function collectItems<T>(pages: AsyncIterable<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page.items);
  return out;
}
