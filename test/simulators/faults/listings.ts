import type { Reply } from './faults.js';
import type { Handler, SimRequest } from './server.js';

const int = (req: SimRequest, name: string, fallback: number) => {
  const v = req.url.searchParams.get(name);
  return v !== null && /^\d+$/.test(v) ? Number(v) : fallback;
};

const withParams = (req: SimRequest, params: Record<string, string | number>) => {
  const u = new URL(req.url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u;
};

/**
 * offset/limit paging (OneRoster): `{ [key]: page }`, with `X-Total-Count` and a `Link` header
 * (next/prev/first/last) unless turned off; `maxLimit` caps the page size like real servers do.
 */
export function offsetListing<T>(items: readonly T[], o: { key?: string; defaultLimit?: number; maxLimit?: number; totalHeader?: boolean; linkHeader?: boolean } = {}): Handler {
  return (req) => {
    const limit = Math.min(int(req, 'limit', o.defaultLimit ?? 100), o.maxLimit ?? Number.MAX_SAFE_INTEGER);
    const offset = int(req, 'offset', 0);
    const page = items.slice(offset, offset + limit);
    const headers: Record<string, string> = {};
    if (o.totalHeader !== false) headers['x-total-count'] = String(items.length);
    if (o.linkHeader !== false) {
      const links = [`<${withParams(req, { limit, offset: 0 })}>; rel="first"`];
      if (offset + limit < items.length) links.push(`<${withParams(req, { limit, offset: offset + limit })}>; rel="next"`);
      if (offset > 0) links.push(`<${withParams(req, { limit, offset: Math.max(0, offset - limit) })}>; rel="prev"`);
      links.push(`<${withParams(req, { limit, offset: Math.max(0, Math.floor((items.length - 1) / limit) * limit) })}>; rel="last"`);
      headers.link = links.join(', ');
    }
    const reply: Reply = { headers, json: o.key ? { [o.key]: page } : page };
    return reply;
  };
}

/** page/pagesize paging (PowerSchool), 1-based; the last page is short or empty. */
export function pageNumberListing<T>(items: readonly T[], o: { key?: string; pageParam?: string; sizeParam?: string; maxSize?: number } = {}): Handler {
  return (req) => {
    const size = Math.min(int(req, o.sizeParam ?? 'pagesize', 100), o.maxSize ?? Number.MAX_SAFE_INTEGER);
    const page = Math.max(1, int(req, o.pageParam ?? 'page', 1));
    const slice = items.slice((page - 1) * size, page * size);
    return { json: o.key ? { [o.key]: slice } : slice };
  };
}

const encodeCursor = (n: number) => Buffer.from(`o:${n}`).toString('base64url');
const decodeCursor = (c: string | null) => (c ? Number(Buffer.from(c, 'base64url').toString().slice(2)) || 0 : 0);

/** Opaque-cursor paging (Google): `{ [key]: page, nextPageToken }`, the token absent on the last page. */
export function cursorListing<T>(items: readonly T[], o: { key?: string; cursorParam?: string; sizeParam?: string; defaultSize?: number; nextField?: string } = {}): Handler {
  return (req) => {
    const size = int(req, o.sizeParam ?? 'maxResults', o.defaultSize ?? 100);
    const start = decodeCursor(req.url.searchParams.get(o.cursorParam ?? 'pageToken'));
    const body: Record<string, unknown> = { [o.key ?? 'items']: items.slice(start, start + size) };
    if (start + size < items.length) body[o.nextField ?? 'nextPageToken'] = encodeCursor(start + size);
    return { json: body };
  };
}

/**
 * Clever-style paging: `{"data": [{"data": record, "uri"}], "links": [{"rel": "self"|"next", "uri"}]}`
 * with root-relative `starting_after` links, records in id order.
 */
export function jsonLinksListing<T>(items: readonly T[], o: { idOf: (item: T) => string; defaultLimit?: number }): Handler {
  return (req) => {
    const limit = int(req, 'limit', o.defaultLimit ?? 100);
    const after = req.url.searchParams.get('starting_after');
    const start = after === null ? 0 : items.findIndex((i) => o.idOf(i) === after) + 1;
    const page = items.slice(start, start + limit);
    const self = `${req.url.pathname}${req.url.search}`;
    const links = [{ rel: 'self', uri: self }];
    if (start + limit < items.length && page.length > 0) {
      const next = withParams(req, { limit, starting_after: o.idOf(page[page.length - 1]) });
      links.push({ rel: 'next', uri: `${next.pathname}${next.search}` });
    }
    return { json: { data: page.map((d) => ({ data: d, uri: `${req.url.pathname}/${o.idOf(d)}` })), links } };
  };
}

/** Graph-style paging: `{ value: page, "@odata.nextLink": absolute URL with $skiptoken }`; pages may be empty. */
export function odataListing<T>(items: readonly T[], o: { pageSize?: number; emptyPagesAt?: readonly number[] } = {}): Handler {
  return (req) => {
    const size = o.pageSize ?? 100;
    const token = req.url.searchParams.get('$skiptoken');
    const [pageNo, start] = token ? token.split('.').map(Number) : [0, 0];
    const empty = o.emptyPagesAt?.includes(pageNo) ?? false;
    const end = empty ? start : start + size;
    const body: Record<string, unknown> = { value: items.slice(start, end) };
    if (end < items.length || empty) body['@odata.nextLink'] = `${new URL(req.url.pathname, req.url)}?$skiptoken=${pageNo + 1}.${end}`;
    return { json: body };
  };
}
