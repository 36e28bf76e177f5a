import type { HttpResponse } from '../http-client.js';
import { checkPageCount, fetchPage, pageItems, type Listing, type Page } from './page.js';

export interface CursorListing<T> extends Listing<T> {
  /** The query parameter that carries the cursor (`pageToken` for Google). */
  cursorParam: string;
  /** The next cursor from a page (`body.nextPageToken`); none ends the listing. */
  nextCursor: (body: unknown, res: HttpResponse) => string | undefined | null;
  /** A cursor to resume from. */
  startCursor?: string;
}

/** A cursor from a field of the body, e.g. `bodyCursor('nextPageToken')`. */
export const bodyCursor = (field: string) => (body: unknown): string | undefined => {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** Cursor paging (Google's pageToken): ends when a page has no cursor, or repeats one already used. */
export async function* cursorPages<T>(l: CursorListing<T>): AsyncGenerator<Page<T>> {
  const used = new Set<string>();
  let cursor = l.startCursor;
  for (let number = 1; ; number++) {
    checkPageCount(l, number);
    if (cursor !== undefined) used.add(cursor);
    const res = await fetchPage(l, l.url, { ...l.query, [l.cursorParam]: cursor }, cursor === undefined ? { page: number } : { page: number, cursor });
    const items = pageItems(l, res, number);
    yield { items, number, url: l.http.redactor.url(res.url) };
    const next = l.nextCursor(res.data, res) ?? undefined;
    if (!next || used.has(next)) return;
    cursor = next;
  }
}
