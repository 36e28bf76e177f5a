import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Agent } from 'undici';
import { ConnectorError } from '../../src/ingest/connectors/core/connector-error.js';
import { ConnectorHttp } from '../../src/ingest/connectors/core/http-client.js';
import { cursorPages, bodyCursor } from '../../src/ingest/connectors/core/paging/cursor.js';
import { jsonLinksNext, linkHeaderNext, odataNextLink, parseLinkHeader } from '../../src/ingest/connectors/core/paging/link-header.js';
import { nextLinkPages } from '../../src/ingest/connectors/core/paging/next-link.js';
import { offsetPages } from '../../src/ingest/connectors/core/paging/offset.js';
import { collectItems, type Page } from '../../src/ingest/connectors/core/paging/page.js';
import { pageNumberPages } from '../../src/ingest/connectors/core/paging/page-number.js';
import { clever } from '../../src/ingest/connectors/core/profiles/clever.js';
import { FakeClock } from '../simulators/faults/fake-clock.js';
import { cursorListing, jsonLinksListing, odataListing, offsetListing, pageNumberListing } from '../simulators/faults/listings.js';
import { FaultServer } from '../simulators/faults/server.js';

interface User { id: string }
const USERS: User[] = Array.from({ length: 23 }, (_, i) => ({ id: `u${String(i + 1).padStart(3, '0')}` }));
const TWENTY = USERS.slice(0, 20);

let sim: FaultServer;
let agent: Agent;
let http: ConnectorHttp;

before(async () => {
  sim = await FaultServer.start();
  agent = new Agent();
  sim
    .route('/or/users', offsetListing(USERS, { key: 'users' }))
    .route('/or/bare', offsetListing(USERS, { key: 'users', totalHeader: false, linkHeader: false }))
    .route('/or/twenty', offsetListing(TWENTY, { key: 'users', totalHeader: false, linkHeader: false }))
    .route('/or/twenty-total', offsetListing(TWENTY, { key: 'users', linkHeader: false }))
    .route('/or/capped', offsetListing(USERS, { key: 'users', maxLimit: 4, linkHeader: false }))
    .route('/ps/students', pageNumberListing(USERS, { key: 'students' }))
    .route('/google/users', cursorListing(USERS, { key: 'users' }))
    .route('/v3.0/users', jsonLinksListing(USERS, { idOf: (u) => u.id }))
    .route('/graph/users', odataListing(USERS, { pageSize: 6, emptyPagesAt: [1, 2] }));
});
after(async () => {
  await agent.close();
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  http = new ConnectorHttp({ connection: { id: 'conn-p' }, baseUrl: sim.url, clock: new FakeClock(), random: () => 0, dispatcher: agent, config: { timeoutMs: 2_000 } });
});

const users = (body: unknown) => (body as { users: User[] }).users;
const ids = (list: User[]) => list.map((u) => u.id);
async function pagesOf<T>(it: AsyncIterable<Page<T>>): Promise<Page<T>[]> {
  const out: Page<T>[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('offset/limit', () => {
  test('walks every page and stops at X-Total-Count without asking for an empty page', async () => {
    const pages = await pagesOf(offsetPages({ http, url: '/or/users', limit: 5, items: users, entity: 'users' }));
    assert.deepEqual(pages.map((p) => p.items.length), [5, 5, 5, 5, 3]);
    assert.deepEqual(ids(pages.flatMap((p) => p.items)), ids(USERS));
    assert.equal(pages[0].total, 23);
    assert.equal(sim.hits('/or/users'), 5);
    const twenty = await collectItems(offsetPages({ http, url: '/or/twenty-total', limit: 5, items: users }));
    assert.equal(twenty.length, 20);
    assert.equal(sim.hits('/or/twenty-total'), 4);
  });

  test('without a total, a short page is the last; a full last page costs one empty page', async () => {
    assert.equal((await collectItems(offsetPages({ http, url: '/or/bare', limit: 5, items: users }))).length, 23);
    assert.equal(sim.hits('/or/bare'), 5);
    assert.equal((await collectItems(offsetPages({ http, url: '/or/twenty', limit: 5, items: users }))).length, 20);
    assert.equal(sim.hits('/or/twenty'), 5);
  });

  test('a server that caps the page size below the limit asked is still read to the end (by its total)', async () => {
    const all = await collectItems(offsetPages({ http, url: '/or/capped', limit: 10, items: users }));
    assert.deepEqual(ids(all), ids(USERS));
    assert.deepEqual(sim.requests.map((r) => r.url.searchParams.get('offset')), ['0', '4', '8', '12', '16', '20']);
  });

  test('the query, the parameter names and the starting offset are the caller\'s', async () => {
    await collectItems(offsetPages({ http, url: '/or/users', limit: 10, startOffset: 10, query: { filter: "status='active'" }, items: users }));
    assert.deepEqual(sim.requests.map((r) => [r.url.searchParams.get('offset'), r.url.searchParams.get('filter')]), [['10', "status='active'"], ['20', "status='active'"]]);
  });
});

describe('other paging styles', () => {
  test('page/pagesize (PowerSchool) stops on the short page', async () => {
    const pages = await pagesOf(pageNumberPages({ http, url: '/ps/students', pageSize: 5, items: (b) => (b as { students: User[] }).students }));
    assert.deepEqual(pages.map((p) => p.items.length), [5, 5, 5, 5, 3]);
    assert.deepEqual(sim.requests.map((r) => r.url.searchParams.get('page')), ['1', '2', '3', '4', '5']);
  });

  test('cursor (Google pageToken) stops when no cursor comes back', async () => {
    const all = await collectItems(cursorPages({ http, url: '/google/users', query: { customer: 'my_customer', maxResults: 5 }, cursorParam: 'pageToken', nextCursor: bodyCursor('nextPageToken'), items: users }));
    assert.deepEqual(ids(all), ids(USERS));
    assert.equal(sim.hits('/google/users'), 5);
    assert.equal(sim.requests[0].url.searchParams.get('pageToken'), null);
    assert.ok(sim.requests.every((r) => r.url.searchParams.get('customer') === 'my_customer'));
  });

  test('cursor: a cursor that comes back again ends the listing instead of looping', async () => {
    sim.route('/loop', { json: { users: [{ id: 'x' }], nextPageToken: 'same' } });
    const all = await collectItems(cursorPages({ http, url: '/loop', cursorParam: 'pageToken', nextCursor: bodyCursor('nextPageToken'), items: users }));
    assert.equal(all.length, 2);
    assert.equal(sim.hits('/loop'), 2);
  });

  test('next link from the Link header (OneRoster)', async () => {
    const all = await collectItems(nextLinkPages({ http, url: '/or/users', query: { limit: 5 }, nextLink: linkHeaderNext, items: users }));
    assert.deepEqual(ids(all), ids(USERS));
    assert.equal(sim.hits('/or/users'), 5);
  });

  test("next link from Clever's JSON links array, relative to the server root", async () => {
    const api = http.withBase(`${sim.url}/v3.0`);
    const all = await collectItems(nextLinkPages({ http: api, url: 'users', query: { limit: 5 }, nextLink: jsonLinksNext, items: (b) => (b as { data: { data: User }[] }).data.map((d) => d.data) }));
    assert.deepEqual(ids(all), ids(USERS));
    assert.deepEqual(sim.requests.map((r) => r.url.searchParams.get('starting_after')), [null, 'u005', 'u010', 'u015', 'u020']);
  });

  test("Graph's @odata.nextLink is followed through empty pages", async () => {
    const pages = await pagesOf(nextLinkPages({ http, url: '/graph/users', nextLink: odataNextLink, items: (b) => (b as { value: User[] }).value }));
    assert.deepEqual(pages.map((p) => p.items.length), [6, 0, 0, 6, 6, 5]);
    assert.deepEqual(ids(pages.flatMap((p) => p.items)), ids(USERS));
  });

  test('a next link to another server is refused (it would carry the credentials there)', async () => {
    sim.route('/evil', { headers: { link: '<https://collector.example.com/users?offset=5>; rel="next"' }, json: { users: [{ id: 'a' }] } });
    const pages = nextLinkPages({ http, url: '/evil', nextLink: linkHeaderNext, items: users, entity: 'users' });
    await assert.rejects(collectItems(pages), (e: unknown) => e instanceof ConnectorError && /another server \(collector\.example\.com\)/.test(e.adminMessage));
  });

  test('Link header parsing', () => {
    assert.deepEqual(parseLinkHeader('<https://h/u?offset=5&limit=5>; rel="next", <https://h/u?offset=20>; rel=last, <https://h/a,b>; rel="prev first"'), {
      next: 'https://h/u?offset=5&limit=5', last: 'https://h/u?offset=20', prev: 'https://h/a,b', first: 'https://h/a,b',
    });
    assert.deepEqual(parseLinkHeader(undefined), {});
  });
});

describe('failures in the middle of a listing', () => {
  test('a page that keeps failing surfaces as an error after its retries, not as a short list', async () => {
    sim.fault('/or/users', { fault: { kind: 'status', status: 503 }, when: (r) => r.url.searchParams.get('offset') === '10' });
    const seen: User[] = [];
    const read = async () => {
      for await (const page of offsetPages({ http, url: '/or/users', limit: 5, items: users, entity: 'users' })) seen.push(...page.items);
    };
    await assert.rejects(read(), (e: unknown) => {
      assert.ok(e instanceof ConnectorError);
      assert.deepEqual([e.status, e.attempts, e.retryable, e.entity], [503, 3, true, 'users']);
      assert.deepEqual(e.technical.context, { page: 3, offset: 10 });
      assert.match(e.adminMessage, /^503 from the upstream system: the server failed after 3 attempts/);
      return true;
    });
    assert.equal(seen.length, 10, 'the pages before the failure were delivered');
    assert.deepEqual(sim.requests.map((r) => r.url.searchParams.get('offset')), ['0', '5', '10', '10', '10']);
  });

  test('a middle page that fails for a moment is retried and the listing completes', async () => {
    sim.fault('/v3.0/users', { fault: { kind: 'reset' }, times: 2, when: (r) => r.url.searchParams.get('starting_after') === 'u010' });
    const api = new ConnectorHttp({ connection: { id: 'conn-p' }, profile: clever, baseUrl: sim.url, clock: new FakeClock(), random: () => 0, dispatcher: agent });
    const all = await collectItems(nextLinkPages({ http: api, url: '/v3.0/users', query: { limit: 5 }, nextLink: jsonLinksNext, items: (b) => (b as { data: { data: User }[] }).data.map((d) => d.data) }));
    assert.deepEqual(ids(all), ids(USERS));
  });

  test('a page whose JSON is cut short is retried, and reported when it stays so', async () => {
    sim.fault('/google/users', { fault: { kind: 'truncated-json' }, when: (r) => r.url.searchParams.has('pageToken') });
    const listing = cursorPages({ http, url: '/google/users', query: { maxResults: 5 }, cursorParam: 'pageToken', nextCursor: bodyCursor('nextPageToken'), items: users, entity: 'users' });
    await assert.rejects(collectItems(listing), (e: unknown) => e instanceof ConnectorError && e.technical.reason === 'invalid_json' && e.attempts === 3 && e.technical.context?.page === 2);
  });

  test('a page in a shape the connector does not expect is a vendor error naming the page', async () => {
    sim.route('/odd', { json: { users: 'none' } });
    await assert.rejects(collectItems(offsetPages({ http, url: '/odd', limit: 5, items: users, entity: 'users' })), (e: unknown) =>
      e instanceof ConnectorError && e.category === 'bad_response' && /page 1 of users in a shape/.test(e.adminMessage));
  });

  test('a listing that never ends is stopped at maxPages', async () => {
    sim.route('/endless', (req) => ({ json: { users: [{ id: 'x' }], next: `/endless?n=${Number(req.url.searchParams.get('n') ?? 0) + 1}` } }));
    const listing = nextLinkPages({ http, url: '/endless', nextLink: (b) => (b as { next: string }).next, items: users, maxPages: 7 });
    await assert.rejects(collectItems(listing), (e: unknown) => e instanceof ConnectorError && /past 7/.test(e.adminMessage));
    assert.equal(sim.hits('/endless'), 7);
  });
});
