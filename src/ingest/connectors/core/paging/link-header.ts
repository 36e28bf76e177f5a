import type { HttpResponse } from '../http-client.js';

/** The targets of an RFC 8288 `Link` header by relation: `<…?offset=100>; rel="next", <…>; rel="last"`. */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(m[2]);
    for (const name of (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/)) if (name && !(name.toLowerCase() in links)) links[name.toLowerCase()] = m[1];
  }
  return links;
}

const get = (body: unknown, key: string): unknown => (body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined);

/** Next page from the `Link` header (OneRoster servers, Skyward). */
export const linkHeaderNext = (_body: unknown, res: HttpResponse): string | undefined => parseLinkHeader(res.headers.link).next;

/** Next page from a JSON `links` array: Clever's `{"links": [{"rel": "next", "uri": "/v3.0/users?starting_after=…"}]}`. */
export const jsonLinksNext = (body: unknown): string | undefined => {
  const links = get(body, 'links');
  if (!Array.isArray(links)) return undefined;
  const next = links.find((l) => get(l, 'rel') === 'next');
  const uri = get(next, 'uri') ?? get(next, 'href');
  return typeof uri === 'string' && uri ? uri : undefined;
};

/** Next page from Microsoft Graph's `@odata.nextLink`. */
export const odataNextLink = (body: unknown): string | undefined => {
  const v = get(body, '@odata.nextLink');
  return typeof v === 'string' && v ? v : undefined;
};
