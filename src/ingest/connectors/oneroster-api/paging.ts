import { nextLinkPages, parseLinkHeader, totalCountHeader, type ConnectorHttp, type HttpResponse, type Page, type QueryInput } from '../core/index.js';

export type ListingOptions = {
  http: ConnectorHttp;
  /** The collection path under the base (`users`, `terms`…). */
  path: string;
  /** The envelope keys the records may come under (`academicSessions` for /terms…). */
  keys: readonly string[];
  limit: number;
  query?: QueryInput;
  entity: string;
  signal?: AbortSignal;
  /** Told once per listing how it was paged (for notes). */
  onPaging?: (how: PagingStyle) => void;
};

export type PagingStyle = 'link' | 'total' | 'short-page' | 'offset-ignored' | 'foreign-link';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The records of a page: `{users: […]}` (or a bare array); anything else is not understood. */
export function pageRecords(keys: readonly string[]) {
  return (body: unknown): unknown[] => {
    if (Array.isArray(body)) return body;
    if (isObj(body)) for (const k of keys) if (Array.isArray(body[k])) return body[k] as unknown[];
    throw new Error(`no array under ${keys.map((k) => `"${k}"`).join(' or ')}`);
  };
}

/**
 * Every page of a OneRoster collection, paged the way the server pages: by its `Link` rel="next"
 * when it sends one (on this server's origin), else by offset/limit up to its `X-Total-Count`,
 * else until a page is shorter than the longest seen so far (not shorter than `limit`: servers
 * cap `limit` silently, and stopping at their first full page would lose records) or empty.
 * A server that ignores `offset` (the same first record twice) ends the listing.
 */
export function oneRosterPages(o: ListingOptions): AsyncGenerator<Page<unknown>> {
  const items = pageRecords(o.keys);
  let longest = 0;
  let lastFirstId: string | undefined;
  const told = new Set<PagingStyle>();
  const tell = (how: PagingStyle) => {
    if (told.has(how)) return;
    told.add(how);
    o.onPaging?.(how);
  };
  const nextLink = (body: unknown, res: HttpResponse): string | undefined => {
    const page = items(body);
    const here = new URL(res.url);
    const links = parseLinkHeader(res.headers.link);
    const byLink = Object.keys(links).length > 0;
    if (links.next) {
      if (new URL(links.next, res.url).origin === here.origin) {
        tell('link');
        return links.next;
      }
      tell('foreign-link'); // e.g. http:// behind a TLS proxy: page by offset on the origin we trust instead
    } else if (byLink) tell('link'); // the server pages by Link and names no next page: the last one (unless its total disagrees)
    if (page.length === 0) return undefined;
    const firstId = isObj(page[0]) ? String(page[0].sourcedId ?? '') : undefined;
    if (lastFirstId !== undefined && firstId === lastFirstId) {
      tell('offset-ignored');
      return undefined;
    }
    lastFirstId = firstId;
    const offset = Number(here.searchParams.get('offset') ?? 0) || 0;
    const next = offset + page.length;
    const total = totalCountHeader(res);
    if (total !== undefined) {
      if (!byLink) tell('total');
      if (next >= total) return undefined;
    } else if (byLink && !links.next) {
      return undefined;
    } else {
      tell('short-page');
      longest = Math.max(longest, page.length);
      if (page.length < longest) return undefined;
    }
    here.searchParams.set('offset', String(next));
    if (!here.searchParams.has('limit')) here.searchParams.set('limit', String(o.limit));
    return here.toString();
  };
  return nextLinkPages({
    http: o.http, url: o.path, query: { ...o.query, limit: o.limit, offset: 0 }, items, nextLink, entity: o.entity, signal: o.signal,
  });
}
