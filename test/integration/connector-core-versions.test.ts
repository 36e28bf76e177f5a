import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Agent } from 'undici';
import { headerAuth } from '../../src/ingest/connectors/core/auth.js';
import { ConnectorError } from '../../src/ingest/connectors/core/connector-error.js';
import { ConnectorHttp } from '../../src/ingest/connectors/core/http-client.js';
import { ONEROSTER_BASE_PATHS, oneroster } from '../../src/ingest/connectors/core/profiles/oneroster.js';
import { forgetVersion, resolveVersion } from '../../src/ingest/connectors/core/version-fallback.js';
import { InMemoryVersionMemory } from '../../src/ingest/connectors/core/version-memory.js';
import { FakeClock } from '../simulators/faults/fake-clock.js';
import { FaultServer } from '../simulators/faults/server.js';

let sim: FaultServer;
let agent: Agent;

before(async () => {
  sim = await FaultServer.start();
  agent = new Agent();
  // This server only speaks OneRoster 1.1: the 1.2 base paths are 404, as on a wrong version.
  sim.routeUnder(['/ims/oneroster/v1p1'], 'orgs', { json: { orgs: [] } });
  sim.routeUnder(['/api/v2', '/api/v3'], 'ping', { json: { ok: true } });
});
after(async () => {
  await agent.close();
  await sim.close();
});
beforeEach(() => sim.reset());

const client = (id = 'conn-v', over: Partial<ConstructorParameters<typeof ConnectorHttp>[0]> = {}) =>
  new ConnectorHttp({ connection: { id }, profile: oneroster, baseUrl: sim.url, clock: new FakeClock(), random: () => 0, dispatcher: agent, ...over });

describe('version fallback', () => {
  test('picks the first base path that answers and remembers it for the connection', async () => {
    const memory = new InMemoryVersionMemory();
    const first = await resolveVersion({ http: client(), memory, candidates: ONEROSTER_BASE_PATHS, probePath: 'orgs?limit=1' });
    assert.deepEqual([first.version, first.remembered], ['/ims/oneroster/v1p1', false]);
    assert.deepEqual(sim.requests.map((r) => `${r.path} ${r.url.search}`), [
      '/ims/oneroster/rostering/v1p2/orgs ?limit=1', '/ims/oneroster/v1p2/orgs ?limit=1', '/ims/oneroster/v1p1/orgs ?limit=1',
    ]);
    assert.equal(await memory.get('conn-v'), '/ims/oneroster/v1p1');
    assert.equal(first.http.baseUrl, `${sim.url}/ims/oneroster/v1p1`);
    const res = await first.http.getJson<{ orgs: unknown[] }>('orgs');
    assert.deepEqual(res.data.orgs, []);

    // The next run (a new client, the same memory) goes straight to it.
    sim.reset();
    const again = await resolveVersion({ http: client(), memory, candidates: ONEROSTER_BASE_PATHS, probePath: 'orgs?limit=1' });
    assert.deepEqual([again.version, again.remembered, sim.requests.length], ['/ims/oneroster/v1p1', true, 0]);

    // Another connection probes for itself.
    await resolveVersion({ http: client('conn-other'), memory, candidates: ONEROSTER_BASE_PATHS, probePath: 'orgs?limit=1' });
    assert.equal(sim.requests.length, 3);

    // Forgotten (after a server upgrade), it probes again.
    sim.reset();
    await forgetVersion(memory, 'conn-v');
    await resolveVersion({ http: client(), memory, candidates: ONEROSTER_BASE_PATHS, probePath: 'orgs?limit=1' });
    assert.equal(sim.requests.length, 3);
  });

  test('versions as v1 → v2 → v3: the first that answers wins, later ones are not asked', async () => {
    const memory = new InMemoryVersionMemory();
    const r = await resolveVersion({ http: client(), memory, candidates: ['/api/v1', '/api/v2', '/api/v3'], probePath: 'ping' });
    assert.equal(r.version, '/api/v2');
    assert.deepEqual(sim.requests.map((q) => q.path), ['/api/v1/ping', '/api/v2/ping']);
  });

  test('a remembered value that is no longer a candidate is ignored', async () => {
    const memory = new InMemoryVersionMemory();
    await memory.set('conn-v', '/api/v9');
    assert.equal((await resolveVersion({ http: client(), memory, candidates: ['/api/v1', '/api/v2'], probePath: 'ping' })).version, '/api/v2');
  });

  test('the shared budget and credentials follow the chosen base', async () => {
    const http = client('conn-v', { auth: headerAuth({ 'x-api-key': 'k-123456' }), config: { budget: { requests: 100 } } });
    const r = await resolveVersion({ http, memory: new InMemoryVersionMemory(), candidates: ['/api/v1', '/api/v2'], probePath: 'ping' });
    assert.equal(r.http.budget, http.budget);
    assert.ok(sim.requests.every((q) => q.headers['x-api-key'] === 'k-123456'));
  });

  test('a failure that is not "wrong version" stops the probing and is reported for what it is', async () => {
    sim.fault('*', { kind: 'status', status: 401, json: { imsx_codeMajor: 'failure', imsx_description: 'bad token', imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'unauthorisedrequest' }] } } });
    const memory = new InMemoryVersionMemory();
    await assert.rejects(resolveVersion({ http: client(), memory, candidates: ONEROSTER_BASE_PATHS, probePath: 'orgs' }), (e: unknown) =>
      e instanceof ConnectorError && e.status === 401 && /^401 unauthorisedrequest from the OneRoster server: the OAuth credentials were refused/.test(e.adminMessage));
    assert.equal(sim.requests.length, 1);
    assert.equal(await memory.get('conn-v'), undefined);
  });

  test('a server down during probing is retried like any request, then reported as down', async () => {
    sim.fault('*', { kind: 'status', status: 503 });
    await assert.rejects(resolveVersion({ http: client(), memory: new InMemoryVersionMemory(), candidates: ONEROSTER_BASE_PATHS, probePath: 'orgs' }), (e: unknown) =>
      e instanceof ConnectorError && e.status === 503 && e.attempts === 3);
    assert.equal(sim.requests.length, 3);
  });

  test('when no candidate answers, the admin is told which were tried', async () => {
    await assert.rejects(resolveVersion({ http: client(), memory: new InMemoryVersionMemory(), candidates: ['/api/v1', '/api/v0'], probePath: 'ping' }), (e: unknown) => {
      assert.ok(e instanceof ConnectorError);
      assert.equal(e.category, 'version');
      assert.match(e.adminMessage, /^no API version Rollcall knows answered at 127\.0\.0\.1:\d+: tried \/api\/v1 \(404\), \/api\/v0 \(404\) \(check the base URL/);
      return true;
    });
  });
});
