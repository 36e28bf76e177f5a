import { checkPageCount, fetchPage, pageItems, type Listing, type Page } from './page.js';

export interface PageNumberListing<T> extends Listing<T> {
  pageSize: number;
  /** Default 1. */
  firstPage?: number;
  /** Query parameter names (default `page`, `pagesize`). */
  params?: { page?: string; size?: string };
}

/** page/pagesize paging (PowerSchool): a short or empty page is the last. */
export async function* pageNumberPages<T>(l: PageNumberListing<T>): AsyncGenerator<Page<T>> {
  const pageName = l.params?.page ?? 'page';
  const sizeName = l.params?.size ?? 'pagesize';
  const first = l.firstPage ?? 1;
  for (let number = 1; ; number++) {
    checkPageCount(l, number);
    const page = first + number - 1;
    const res = await fetchPage(l, l.url, { ...l.query, [pageName]: page, [sizeName]: l.pageSize }, { page });
    const items = pageItems(l, res, number);
    yield { items, number, url: l.http.redactor.url(res.url) };
    if (items.length < l.pageSize) return;
  }
}
