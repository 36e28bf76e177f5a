import type { RawQuery } from '../../query/collection-params.js';

/** Parameters a page link keeps from the request, in this order, after limit and offset. */
const KEPT = ['filter', 'sort', 'orderBy', 'fields'] as const;

function pageUrl(base: string, query: RawQuery, limit: number, offset: number): string {
  const parts = [`limit=${limit}`, `offset=${offset}`];
  for (const name of KEPT) {
    const v = query[name];
    for (const value of v === undefined ? [] : Array.isArray(v) ? v : [v]) parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  return `${base}?${parts.join('&')}`;
}

/**
 * RFC 8288 `Link` header with absolute first, last, prev and next page URLs (spec/oneroster.md §3):
 * no prev on the first page, no next on the last; last = the offset of the final full stride.
 */
export function linkHeader(base: string, query: RawQuery, limit: number, offset: number, total: number): string {
  const last = Math.max(0, Math.floor((total - 1) / limit) * limit);
  const links: string[] = [];
  if (offset + limit < total) links.push(`<${pageUrl(base, query, limit, offset + limit)}>; rel="next"`);
  links.push(`<${pageUrl(base, query, limit, last)}>; rel="last"`);
  links.push(`<${pageUrl(base, query, limit, 0)}>; rel="first"`);
  if (offset > 0) links.push(`<${pageUrl(base, query, limit, Math.max(0, Math.min(offset, total) - limit))}>; rel="prev"`);
  return links.join(', ');
}
