// The HTTP side of the district benchmark: a token from /oauth/token, and a collection pulled page
// by page over real HTTP (undici's request, keep-alive) following the Link rel="next" header.
import { request, type Dispatcher } from 'undici';

export type PageSample = {
  /** Offset of the page, from its URL. */
  offset: number;
  /** Request sent to last body byte received. */
  ms: number;
  /** Request sent to response headers received (the server's work before it starts writing). */
  ttfbMs: number;
  bytes: number;
  records: number;
};

export type PullResult = {
  collection: string;
  query: string;
  records: number;
  /** X-Total-Count of the first page. */
  total: number;
  bytes: number;
  seconds: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  pages: PageSample[];
  /** Problems seen: non-200 answers, network errors, records out of order, a count that differs from X-Total-Count. */
  errors: string[];
  /** With collect: sourcedId -> the record (only the fields the caller asked for). */
  records_?: Map<string, Record<string, unknown>>;
};

export async function requestToken(base: string, clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

const NEXT = /<([^>]+)>;\s*rel="next"/;

/**
 * Pulls `collection` from `apiBase` (e.g. http://127.0.0.1:8080/ims/oneroster/v1p1) with `query`,
 * following rel="next" to the end. Times every page; checks that sourcedIds arrive in strictly
 * increasing order (the default sort) and that the count matches X-Total-Count.
 */
export async function pull(
  apiBase: string,
  token: string,
  collection: string,
  query: string,
  opts: {
    collect?: (r: Record<string, any>) => Record<string, unknown>;
    /** The connections to use (an undici Agent of its own: new ones); the process's shared pool by default. */
    dispatcher?: Dispatcher;
  } = {},
): Promise<PullResult> {
  const pages: PageSample[] = [];
  const errors: string[] = [];
  const collected = opts.collect ? new Map<string, Record<string, unknown>>() : undefined;
  let url: string | undefined = `${apiBase}/${collection}?${query}`;
  let total = -1;
  let records = 0;
  let bytes = 0;
  let lastId: string | undefined;
  const t0 = performance.now();
  while (url) {
    const offset = Number(new URL(url).searchParams.get('offset') ?? 0);
    const start = performance.now();
    let res: Dispatcher.ResponseData;
    let body: Buffer;
    let ttfb: number;
    try {
      // undici's request rather than fetch: the client shares the machine's two cores with the
      // server and Postgres, and fetch's web streams took 10-30 ms of a 3.2 MB users page to read
      // the body, against 5-10 ms (scratch pulls of a 1% delta at L, same server, interleaved).
      res = await request(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, dispatcher: opts.dispatcher });
      ttfb = performance.now() - start;
      body = Buffer.from(await res.body.arrayBuffer());
    } catch (e) {
      errors.push(`${collection} offset ${offset}: ${(e as Error).message}`);
      break;
    }
    const ms = performance.now() - start;
    if (res.statusCode !== 200) {
      errors.push(`${collection} offset ${offset}: HTTP ${res.statusCode} ${body.toString('utf8', 0, 300)}`);
      break;
    }
    const list = (JSON.parse(body.toString('utf8')) as Record<string, Array<Record<string, any>>>)[collection];
    if (total < 0) total = Number(header(res, 'x-total-count'));
    for (const r of list) {
      if (lastId !== undefined && !(r.sourcedId > lastId)) errors.push(`${collection}: ${r.sourcedId} after ${lastId} (out of order or repeated)`);
      lastId = r.sourcedId;
      collected?.set(r.sourcedId, opts.collect!(r));
    }
    records += list.length;
    bytes += body.length;
    pages.push({ offset, ms: round(ms), ttfbMs: round(ttfb), bytes: body.length, records: list.length });
    url = NEXT.exec(header(res, 'link') ?? '')?.[1];
  }
  const seconds = (performance.now() - t0) / 1000;
  if (errors.length === 0 && records !== total) errors.push(`${collection}: ${records} records pulled, X-Total-Count said ${total}`);
  return {
    collection,
    query,
    records,
    total,
    bytes,
    seconds: +seconds.toFixed(3),
    recordsPerSecond: Math.round(records / seconds),
    mbPerSecond: +(bytes / 2 ** 20 / seconds).toFixed(2),
    pages,
    errors: errors.slice(0, 20),
    records_: collected,
  };
}

/** A response header's value (the first, when it came more than once). */
function header(res: Dispatcher.ResponseData, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export const round = (ms: number) => Math.round(ms * 10) / 10;

/** The first, middle and last pages of a pull, and the median and slowest page. */
export function pageStats(pages: PageSample[]) {
  const sorted = [...pages].sort((a, b) => a.ms - b.ms);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]?.ms ?? 0;
  return {
    pages: pages.length,
    first: pages[0],
    middle: pages[Math.floor((pages.length - 1) / 2)],
    last: pages[pages.length - 1],
    medianMs: q(0.5),
    p95Ms: q(0.95),
    maxMs: sorted[sorted.length - 1]?.ms ?? 0,
  };
}
