import type { HttpResponse } from '../http-client.js';
import { checkPageCount, fetchPage, pageItems, type Listing, type Page } from './page.js';

export interface OffsetListing<T> extends Listing<T> {
  /** Records asked per page. */
  limit: number;
  startOffset?: number;
  /** Query parameter names (default `limit`, `offset`). */
  params?: { limit?: string; offset?: string };
  /** The listing's size, when the server tells it (default: the `X-Total-Count` header). */
  total?: (res: HttpResponse) => number | undefined;
}

export const totalCountHeader = (res: HttpResponse): number | undefined => {
  const raw = res.headers['x-total-count'];
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
};

/**
 * offset/limit paging (OneRoster). With a total, pages go on until the offset reaches it, however
 * short the server makes its pages; without one, a short page is the last. An empty page always ends.
 */
export async function* offsetPages<T>(l: OffsetListing<T>): AsyncGenerator<Page<T>> {
  const limitName = l.params?.limit ?? 'limit';
  const offsetName = l.params?.offset ?? 'offset';
  const totalOf = l.total ?? totalCountHeader;
  let offset = l.startOffset ?? 0;
  for (let number = 1; ; number++) {
    checkPageCount(l, number);
    const res = await fetchPage(l, l.url, { ...l.query, [limitName]: l.limit, [offsetName]: offset }, { page: number, offset });
    const items = pageItems(l, res, number);
    const total = totalOf(res);
    yield { items, number, url: l.http.redactor.url(res.url), total };
    if (items.length === 0) return;
    offset += items.length;
    if (total !== undefined ? offset >= total : items.length < l.limit) return;
  }
}
