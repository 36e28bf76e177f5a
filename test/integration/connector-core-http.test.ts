import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Agent } from 'undici';
import { bearerTokenAuth, headerAuth } from '../../src/ingest/connectors/core/auth.js';
import { ConnectorError } from '../../src/ingest/connectors/core/connector-error.js';
import { ConnectorHttp, type ConnectorHttpOptions, type HttpEvent } from '../../src/ingest/connectors/core/http-client.js';
import { defineProfile } from '../../src/ingest/connectors/core/profile.js';
import { aeries } from '../../src/ingest/connectors/core/profiles/aeries.js';
import { clever } from '../../src/ingest/connectors/core/profiles/clever.js';
import { createLogger } from '../../src/log.js';
import { FakeClock } from '../simulators/faults/fake-clock.js';
import { FaultServer } from '../simulators/faults/server.js';

let sim: FaultServer;
let agent: Agent;

before(async () => {
  sim = await FaultServer.start();
  agent = new Agent();
});
after(async () => {
  await agent.close();
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  sim.route('/ok', { json: { ok: true } });
});

/** A client on the fault server with a virtual clock; `random` 0.5 makes backoff exactly half its ceiling. */
function setup(over: Partial<ConnectorHttpOptions> = {}) {
  const clock = new FakeClock();
  const events: HttpEvent[] = [];
  const http = new ConnectorHttp({
    connection: { id: 'conn-1' }, baseUrl: sim.url, clock, random: () => 0.5, dispatcher: agent,
    onEvent: (e) => events.push(e), config: { timeoutMs: 2_000 }, ...over,
  });
  return { http, clock, events };
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConnectorError, `expected a ConnectorError, got ${e}`);
    return e;
  }
  assert.fail('expected the request to fail');
}

describe('retry rules over real HTTP', () => {
  test('408, 425, 429 and 5xx are retried: 3 attempts, then a retryable error', async () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504]) {
      sim.clearFaults();
      sim.fault('/ok', { kind: 'status', status });
      const before = sim.hits('/ok');
      const { http, clock } = setup();
      const e = await failure(http.getJson('/ok', { entity: 'users' }));
      assert.equal(sim.hits('/ok') - before, 3, `${status}: three requests`);
      assert.deepEqual([e.status, e.attempts, e.retryable], [status, 3, true], String(status));
      assert.deepEqual(clock.sleeps, [500, 1000], `${status}: backoff between attempts`);
    }
  });

  test('other 4xx are never retried', async () => {
    for (const status of [400, 401, 403, 404, 405, 409, 410, 413, 422]) {
      sim.clearFaults();
      sim.fault('/ok', { kind: 'status', status });
      const before = sim.hits('/ok');
      const { http, clock } = setup();
      const e = await failure(http.getJson('/ok'));
      assert.equal(sim.hits('/ok') - before, 1, `${status}: one request`);
      assert.deepEqual([e.status, e.attempts, e.retryable, clock.sleeps.length], [status, 1, false, 0], String(status));
    }
  });

  test('a burst of 5xx shorter than the attempts is ridden out', async () => {
    sim.fault('/ok', { fault: { kind: 'status', status: 503 }, times: 2 });
    const { http, events } = setup();
    const res = await http.getJson<{ ok: boolean }>('/ok');
    assert.deepEqual([res.data.ok, res.attempts], [true, 3]);
    assert.deepEqual(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason), ['status_503', 'status_503']);
  });

  test('backoff grows between attempts and stays within its jitter bounds', async () => {
    sim.fault('/ok', { kind: 'status', status: 500 });
    const waits: number[][] = [];
    for (const r of [0, 0.25, 0.999]) {
      const { http, clock } = setup({ random: () => r, config: { timeoutMs: 2_000, retry: { maxAttempts: 5 } } });
      await failure(http.getJson('/ok'));
      waits.push(clock.sleeps);
    }
    assert.deepEqual(waits[0], [0, 0, 0, 0]);
    assert.deepEqual(waits[1], [250, 500, 1000, 2000]);
    assert.deepEqual(waits[2], [999, 1998, 3996, 7992]);
  });

  test('Retry-After in seconds is honoured', async () => {
    sim.fault('/ok', { fault: { kind: 'rate-limit', retryAfter: 7 }, times: 1 });
    const { http, clock } = setup({ random: () => 0 });
    assert.equal((await http.getJson('/ok')).attempts, 2);
    assert.deepEqual(clock.sleeps, [7000]);
  });

  test('Retry-After as an HTTP-date is honoured', async () => {
    const { http, clock } = setup({ random: () => 0 });
    sim.fault('/ok', { fault: () => ({ kind: 'status', status: 503, headers: { 'retry-after': new Date(clock.now() + 12_000).toUTCString() } }), times: 1 });
    assert.equal((await http.getJson('/ok')).attempts, 2);
    assert.deepEqual(clock.sleeps, [12_000]);
  });

  test('a server wait beyond the maximum is cut to it', async () => {
    sim.fault('/ok', { fault: { kind: 'rate-limit', retryAfter: 3600 }, times: 1 });
    const { http, clock } = setup({ config: { timeoutMs: 2_000, retry: { maxWaitMs: 5_000 } } });
    await http.getJson('/ok');
    assert.deepEqual(clock.sleeps, [5_000]);
  });

  test("Clever: a 429 with only X-RateLimit-Reset waits until the reset", async () => {
    const { http, clock } = setup({ profile: clever, random: () => 0, config: { timeoutMs: 2_000, budget: null } });
    sim.fault('/ok', { fault: () => ({ kind: 'rate-limit', headers: { 'x-ratelimit-reset': String(Math.floor(clock.now() / 1000) + 20) } }), times: 1 });
    await http.getJson('/ok');
    assert.deepEqual(clock.sleeps, [20_000]);
  });
});

describe('network failures over real HTTP', () => {
  test('a connection reset before the answer is retried', async () => {
    sim.fault('/ok', { fault: { kind: 'reset' }, times: 2 });
    const { http } = setup();
    assert.equal((await http.getJson('/ok')).attempts, 3);
    sim.clearFaults();
    sim.fault('/ok', { kind: 'reset' });
    const e = await failure(setup().http.getJson('/ok', { entity: 'students' }));
    assert.deepEqual([e.category, e.attempts, e.retryable], ['network', 3, true]);
    assert.match(e.adminMessage, /connection to the upstream system \(127\.0\.0\.1:\d+\) failed after 3 attempts/);
  });

  test('a hanging server hits the per-request timeout, which is retried', async () => {
    sim.fault('/ok', { fault: { kind: 'hang' }, times: 1 });
    const { http } = setup({ config: { timeoutMs: 150 } });
    assert.equal((await http.getJson('/ok')).attempts, 2);
    sim.clearFaults();
    sim.fault('/ok', { kind: 'hang' });
    const e = await failure(setup({ config: { timeoutMs: 150 } }).http.getJson('/ok'));
    assert.deepEqual([e.category, e.technical.reason, e.attempts, e.retryable], ['timeout', 'timeout', 3, true]);
    assert.match(e.adminMessage, /did not answer within 150 ms after 3 attempts/);
  });

  test('a connection reset in the middle of the body is retried', async () => {
    sim.fault('/ok', { fault: { kind: 'reset-mid-body' }, times: 1 });
    assert.equal((await setup().http.getJson('/ok')).attempts, 2);
  });

  test('a body shorter than its Content-Length is retried, and reported as broken off when it persists', async () => {
    sim.fault('/ok', { fault: { kind: 'truncate' }, times: 2 });
    assert.equal((await setup().http.getJson('/ok')).attempts, 3);
    sim.clearFaults();
    sim.fault('/ok', { kind: 'truncate' });
    const e = await failure(setup().http.getJson('/ok', { entity: 'classes' }));
    assert.deepEqual([e.technical.reason, e.category, e.retryable], ['truncated', 'bad_response', true]);
    assert.match(e.adminMessage, /broke off its answer for classes in the middle after 3 attempts/);
  });

  test('truncated JSON in a complete answer is retried', async () => {
    sim.fault('/ok', { fault: { kind: 'truncated-json' }, times: 1 });
    assert.equal((await setup().http.getJson('/ok')).attempts, 2);
    sim.clearFaults();
    sim.fault('/ok', { kind: 'truncated-json' });
    const e = await failure(setup().http.getJson('/ok'));
    assert.deepEqual([e.technical.reason, e.attempts, e.status], ['invalid_json', 3, 200]);
  });

  test('connection refused is retried and names the host', async () => {
    const closed = await FaultServer.start();
    const url = closed.url;
    await closed.close();
    const { http } = setup({ baseUrl: url });
    const e = await failure(http.getJson('/ok'));
    assert.deepEqual([e.technical.networkCode, e.attempts, e.retryable], ['ECONNREFUSED', 3, true]);
    assert.match(e.adminMessage, /127\.0\.0\.1:\d+ refused the connection after 3 attempts \(check the server address and port/);
  });

  test('a DNS failure is retried and tells the admin to check the address', async () => {
    const lookups: string[] = [];
    const noDns = new Agent({
      connect: {
        lookup: (hostname, _options, callback) => {
          lookups.push(hostname);
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
        },
      },
    });
    try {
      const { http } = setup({ baseUrl: 'http://sis.district.invalid', dispatcher: noDns });
      const e = await failure(http.getJson('/api/v5/schools'));
      assert.equal(lookups.length, 3);
      assert.deepEqual([e.technical.networkCode, e.attempts, e.retryable], ['ENOTFOUND', 3, true]);
      assert.match(e.adminMessage, /could not resolve the host name sis\.district\.invalid after 3 attempts/);
    } finally {
      await noDns.close();
    }
  });
});

describe('credentials', () => {
  test('an expired token is refreshed once and the request repeated', async () => {
    sim.useBearerTokens({ client: { id: 'rollcall', secret: 's3cr3t-client-pw' } });
    sim.route('/users', { json: { users: [1, 2] } });
    const { http, events } = setup();
    const basic = `Basic ${Buffer.from('rollcall:s3cr3t-client-pw').toString('base64')}`;
    const auth = bearerTokenAuth(async () => (await http.getJson<{ access_token: string }>('/oauth/token', { method: 'POST', auth: false, body: new URLSearchParams({ grant_type: 'client_credentials' }), headers: { authorization: basic } })).data.access_token);
    const api = new ConnectorHttp({ connection: { id: 'conn-1' }, baseUrl: sim.url, auth, dispatcher: agent, clock: new FakeClock(), onEvent: (e) => events.push(e) });
    await api.getJson('/users');
    sim.expireTokens();
    const res = await api.getJson<{ users: number[] }>('/users');
    assert.deepEqual(res.data.users, [1, 2]);
    assert.equal(sim.issuedTokens.length, 2);
    assert.deepEqual(events.filter((e) => e.type === 'refresh').length, 1);
  });

  test('concurrent requests refused with the same expired token cause one refresh', async () => {
    sim.useBearerTokens();
    sim.route('/users', { json: { users: [] } });
    const { http } = setup();
    const auth = bearerTokenAuth(async () => (await http.getJson<{ access_token: string }>('/oauth/token', { method: 'POST', auth: false })).data.access_token);
    const api = new ConnectorHttp({ connection: { id: 'conn-1' }, baseUrl: sim.url, auth, dispatcher: agent, clock: new FakeClock() });
    await api.getJson('/users');
    const issued = sim.issuedTokens.length;
    sim.expireTokens();
    await Promise.all(Array.from({ length: 5 }, () => api.getJson('/users')));
    assert.equal(sim.issuedTokens.length - issued, 1);
  });

  test('a token refused even when fresh is an auth error, not a loop', async () => {
    sim.useBearerTokens();
    sim.route('/users', { json: { users: [] } });
    sim.fault('/users', { kind: 'status', status: 401, json: { error: 'invalid_token' } });
    const { http } = setup();
    const auth = bearerTokenAuth(async () => (await http.getJson<{ access_token: string }>('/oauth/token', { method: 'POST', auth: false })).data.access_token);
    const api = new ConnectorHttp({ connection: { id: 'conn-1' }, baseUrl: sim.url, auth, dispatcher: agent, clock: new FakeClock() });
    const e = await failure(api.getJson('/users'));
    assert.deepEqual([e.status, e.category, e.attempts, e.kind], [401, 'auth', 2, 'unauthorized']);
    assert.equal(sim.hits('/users'), 2);
  });
});

describe('actionable errors carry no secret', () => {
  const TOKEN = 'ya29.c.b0AaVerySecretAccessToken0987654321';
  const CLIENT_SECRET = 'cs_live_Zx81!q/secret+value';
  const CERT = '477abe9e7d27439681d62f4e0de1f5e1';

  test('token in the Authorization header, client_secret in the query, both echoed back by the server', async () => {
    // The server echoes what it received, as some do in error bodies.
    const echo = (req: { headers: Record<string, unknown>; url: URL }) => ({
      kind: 'status' as const, status: 403,
      json: { message: `forbidden for ${req.headers.authorization} at ${req.url}`, debug: { authorization: req.headers.authorization, client_secret: CLIENT_SECRET } },
    });
    sim.route('/api/v5/schools/994/students', { json: [] });
    sim.fault('/api/v5/schools/994/students', { fault: { kind: 'status', status: 503, text: `upstream said: token=${TOKEN}` }, times: 1 });
    sim.fault('/api/v5/schools/994/students', { fault: echo });
    const lines: string[] = [];
    const log = createLogger('trace', new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
    const { http } = setup({ profile: aeries, auth: headerAuth({ authorization: `Bearer ${TOKEN}`, 'AERIES-CERT': CERT }), log, config: { timeoutMs: 2_000, budget: null } });
    const e = await failure(http.getJson('/api/v5/schools/994/students', { entity: 'students', query: { client_secret: CLIENT_SECRET, DatabaseYear: 2024 } }));

    assert.equal(e.adminMessage, '403 from Aeries: the API key lacks permission for students (check the Aeries security settings)');
    assert.deepEqual([e.connection, e.vendor, e.entity, e.status, e.attempts, e.retryable], ['conn-1', 'aeries', 'students', 403, 2, false]);
    assert.match(e.technical.url!, /DatabaseYear=2024/);
    const everything = [e.message, e.adminMessage, JSON.stringify(e), JSON.stringify(e.technical), String(e), e.stack ?? '', JSON.stringify(e.details), lines.join('')].join('\n');
    assert.ok(lines.length > 0, 'the retry was logged');
    for (const secret of [TOKEN, CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), CERT]) {
      assert.ok(!everything.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`);
    }
    assert.match(JSON.stringify(e.technical), /\[redacted\]/);
  });

  test('secrets in the base URL user info are not shown either', async () => {
    const withUser = sim.url.replace('http://', `http://admin:${encodeURIComponent(CLIENT_SECRET)}@`);
    sim.fault('/ok', { kind: 'status', status: 404 });
    const e = await failure(setup({ baseUrl: withUser }).http.getJson('/ok'));
    assert.ok(!JSON.stringify(e).includes(encodeURIComponent(CLIENT_SECRET)));
  });
});

describe('the request budget over real HTTP', () => {
  test('concurrent requests of one connection share one budget', async () => {
    const { http, events } = setup({ profile: defineProfile({ vendor: 'slow', displayName: 'Slow', budget: { requests: 60, perMs: 60_000 } }) });
    const start = http.clock.now();
    await Promise.all(Array.from({ length: 6 }, () => http.getJson('/ok')));
    const at = events.flatMap((e) => (e.type === 'attempt' ? [e.at - start] : []));
    assert.deepEqual(at, [0, 1017, 2034, 3051, 4068, 5085]);
    const other = http.withBase(sim.url);
    assert.equal(other.budget, http.budget, 'a client on another base of the same connection shares the budget');
  });

  test('a 429 holds the other requests of the connection too', async () => {
    sim.route('/b', { json: {} });
    sim.fault('/ok', { fault: { kind: 'rate-limit', retryAfter: 30 }, times: 1 });
    const events: HttpEvent[] = [];
    let second: Promise<unknown> | undefined;
    const { http } = setup({
      random: () => 0, config: { timeoutMs: 2_000, budget: { requests: 600, burst: 10 } },
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'retry') second = http.getJson('/b'); // another request of the connection, during the wait
      },
    });
    const start = http.clock.now();
    await http.getJson('/ok');
    await second;
    const attempts = events.flatMap((e) => (e.type === 'attempt' ? [[new URL(e.url).pathname, e.at - start] as const] : []));
    assert.equal(attempts.length, 3);
    assert.deepEqual(attempts[0], ['/ok', 0]);
    for (const [path, at] of attempts.slice(1)) assert.ok(at >= 30_000, `${path} at ${at} waited for the pause`);
  });

  test("Clever's X-RateLimit-Remaining: 0 holds the connection until X-RateLimit-Reset", async () => {
    const { http, events, clock } = setup({ profile: clever });
    sim.fault('/ok', { fault: () => ({ kind: 'status', status: 200, json: { ok: true }, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(clock.now() / 1000) + 20) } }), times: 1 });
    const start = clock.now();
    await http.getJson('/ok');
    await http.getJson('/ok');
    const at = events.flatMap((e) => (e.type === 'attempt' ? [e.at - start] : []));
    assert.equal(at[0], 0);
    assert.ok(at[1] >= 20_000, `second request at ${at[1]}`);
    assert.ok(events.some((e) => e.type === 'pause' && e.header === 'x-ratelimit-reset'));
  });
});
