import type { HttpResponse } from '../http-client.js';
import { checkPageCount, fetchPage, pageItems, type Listing, type Page } from './page.js';

export interface NextLinkListing<T> extends Listing<T> {
  /** The next page's URL, absolute or relative to the page's (see `linkHeaderNext`, `jsonLinksNext`, `odataNextLink`). */
  nextLink: (body: unknown, res: HttpResponse) => string | undefined;
}

/**
 * Next-link paging: follows the server's links until there is none (an empty page with a link
 * goes on, as Graph requires). A link to another origin is refused, since the request would carry
 * the connection's credentials there; a link already followed ends the listing.
 */
export async function* nextLinkPages<T>(l: NextLinkListing<T>): AsyncGenerator<Page<T>> {
  const followed = new Set<string>();
  let target = l.url;
  let query = l.query;
  let origin: string | undefined;
  for (let number = 1; ; number++) {
    checkPageCount(l, number);
    const res = await fetchPage(l, target, query, { page: number });
    origin ??= new URL(res.url).origin;
    followed.add(res.url);
    const items = pageItems(l, res, number);
    yield { items, number, url: l.http.redactor.url(res.url) };
    const link = l.nextLink(res.data, res);
    if (!link) return;
    const next = new URL(link, res.url);
    if (next.origin !== origin) {
      throw l.http.error({
        entity: l.entity, status: res.status, attempts: res.attempts, retryable: false, category: 'bad_response',
        adminMessage: `${l.http.profile.displayName} pointed the next page of ${l.entity ?? 'a listing'} at another server (${next.host}); Rollcall does not send the connection's credentials there (report it to ${l.http.profile.displayName})`,
        technical: { url: next.toString(), context: { page: number } },
      });
    }
    if (followed.has(next.toString())) return;
    target = next.toString();
    query = undefined;
  }
}
