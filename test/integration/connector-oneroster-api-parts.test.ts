import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseAuthorizationHeader } from '../../src/auth/oauth1.js';
import { ConnectorHttp } from '../../src/ingest/connectors/core/index.js';
import { oauth1Signer, oauth2ClientCredentials } from '../../src/ingest/connectors/oneroster-api/auth.js';
import { fillSchoolYears, toPulledRecord } from '../../src/ingest/connectors/oneroster-api/map.js';
import { oneRosterPages } from '../../src/ingest/connectors/oneroster-api/paging.js';
import { tokenProfile } from '../../src/ingest/connectors/oneroster-api/profile.js';
import { candidatesFor, splitBaseUrl } from '../../src/ingest/connectors/oneroster-api/urls.js';
import { canonicalProblems } from '../../src/model/canonical.js';
import { FakeClock, FaultServer, offsetListing } from '../simulators/faults/index.js';

describe('oneroster-api connector parts', () => {
  test('OAuth 1.0a signatures match the fixed vectors of shared/spec/vendors.md §4.2 (SHA256 and SHA1)', async () => {
    const url = new URL("https://sis.example.org/ims/oneroster/v1p1/users?limit=100&offset=0&filter=status%3D%27active%27");
    const expected = { 'HMAC-SHA256': 'nHeyKq1cdtoeWtM/QilbUqlyVjzAV4RfPwysUUHIQzE=', 'HMAC-SHA1': 'XuP6qQBKqDEmjSkmoO2eMfhVWuI=' } as const;
    for (const method of ['HMAC-SHA256', 'HMAC-SHA1'] as const) {
      const signer = oauth1Signer({ consumerKey: 'key', consumerSecret: 'secret', method, now: () => 1_700_000_000_000, nonce: () => 'abc' });
      const { authorization } = await signer.authorize({ method: 'GET', url });
      const oauth = parseAuthorizationHeader(authorization)!;
      assert.equal(oauth.oauth_signature, expected[method], method);
      assert.deepEqual([oauth.oauth_version, oauth.oauth_signature_method, oauth.oauth_timestamp], ['1.0', method, '1700000000']);
    }
    const fresh = oauth1Signer({ consumerKey: 'key', consumerSecret: 'secret', method: 'HMAC-SHA256' });
    const a = parseAuthorizationHeader((await fresh.authorize({ method: 'GET', url })).authorization)!;
    const b = parseAuthorizationHeader((await fresh.authorize({ method: 'GET', url })).authorization)!;
    assert.notEqual(a.oauth_nonce, b.oauth_nonce, 'a new nonce per attempt');
  });

  test('base URLs: a root is probed, a full base is used as it is; candidates per version', () => {
    assert.deepEqual(splitBaseUrl('https://sis.example.org/'), { root: 'https://sis.example.org' });
    assert.deepEqual(splitBaseUrl('https://h/campus/api/oneroster/v1p1/app1'), { root: 'https://h/campus/api/oneroster/v1p1/app1' });
    assert.deepEqual(splitBaseUrl('https://h/campus/api/oneroster/v1p1/app1/ims/oneroster/v1p1/'), {
      root: 'https://h/campus/api/oneroster/v1p1/app1', fullBase: { url: 'https://h/campus/api/oneroster/v1p1/app1/ims/oneroster/v1p1', path: '/ims/oneroster/v1p1' },
    });
    assert.deepEqual(splitBaseUrl('https://h/campus/oneroster/app/learningdata/v1').fullBase?.path, '/learningdata/v1');
    assert.deepEqual(candidatesFor('1.2'), ['/ims/oneroster/rostering/v1p2', '/ims/oneroster/v1p2']);
    assert.deepEqual(candidatesFor('1.1'), ['/ims/oneroster/v1p1']);
    assert.deepEqual(candidatesFor('auto').slice(-3), ['/ims/oneroster/v1p0', '/learningdata/v1', '']);
  });

  test('mapping tolerates the shapes servers send: 1.0 flat refs, string booleans, comma lists, inactive, metadata kept, the rest dropped', () => {
    const noTypes = () => undefined;
    const u = toPulledRecord('users', {
      sourcedId: ' u1 ', status: 'inactive', dateLastModified: '2024-01-01T00:00:00Z', enabledUser: 'TRUE', givenName: 'Ann ', familyName: 'Lee', middleName: '',
      role: 'Teacher', orgSourcedIds: 'sch1, sch2', agentSourcedIds: ['p1'], grades: '09,10', password: 'hunter2', vendorExtra: 'x', metadata: { 'microsoft.userFlags': 'ELL' },
    }, noTypes);
    assert.deepEqual(u, {
      sourcedId: 'u1', status: 'tobedeleted',
      data: {
        enabledUser: true, givenName: 'Ann', familyName: 'Lee', agents: [{ sourcedId: 'p1', type: 'user' }], grades: ['09', '10'],
        roles: [{ roleType: 'primary', role: 'teacher', org: { sourcedId: 'sch1', type: 'org' } }, { roleType: 'primary', role: 'teacher', org: { sourcedId: 'sch2', type: 'org' } }],
        primaryOrg: { sourcedId: 'sch1', type: 'org' }, metadata: { 'microsoft.userFlags': 'ELL' },
      },
    });
    const admin = toPulledRecord('users', { sourcedId: 'a', givenName: 'A', familyName: 'B', role: 'administrator', orgs: ['d1', { sourcedId: 's1', type: 'org' }] }, (id) => (id === 'd1' ? 'district' : 'school'));
    assert.deepEqual((admin.data.roles as Array<{ role: string }>).map((r) => r.role), ['districtAdministrator', 'siteAdministrator']);

    const e = toPulledRecord('enrollments', { sourcedId: 'e1', classSourcedId: 'c1', userSourcedId: 'u1', school: 's1', role: 'student', primary: 'false', beginDate: '2024-08-15T00:00:00' }, noTypes);
    assert.deepEqual(e.data, { class: { sourcedId: 'c1', type: 'class' }, school: { sourcedId: 's1', type: 'org' }, user: { sourcedId: 'u1', type: 'user' }, role: 'student', primary: false, beginDate: '2024-08-15' });
    assert.deepEqual(canonicalProblems('enrollments', e.data), []);

    const v12 = toPulledRecord('users', {
      sourcedId: 'x', status: 'active', enabledUser: 'false', givenName: 'G', familyName: 'F', preferredFirstName: 'P',
      roles: [{ roleType: 'primary', role: 'principal', org: { href: 'https://h/orgs/s', sourcedId: 's', type: 'org' }, beginDate: '2024-08-01' }],
      primaryOrg: { sourcedId: 's', type: 'org' }, userProfiles: [{ profileId: 'urn:p', profileType: 'lms', vendorId: 'v', credentials: [{ type: 'pwd', username: 'g', password: 'secret!' }] }],
    }, noTypes);
    assert.deepEqual(v12.data.roles, [{ roleType: 'primary', role: 'principal', org: { sourcedId: 's', type: 'org' }, beginDate: '2024-08-01' }]);
    assert.ok(!JSON.stringify(v12).includes('secret!'), 'passwords are never kept');
    assert.deepEqual(canonicalProblems('users', v12.data), []);

    const sessions = [
      toPulledRecord('academicSessions', { sourcedId: 'y', title: 'Year', type: 'schoolYear', startDate: '2026-08-17', endDate: '2027-06-18' }, noTypes),
      toPulledRecord('academicSessions', { sourcedId: 'gp1', title: 'GP1', type: 'gradingPeriod', startDate: '2026-08-17', endDate: '2026-10-20', parentSourcedId: 't' }, noTypes),
      toPulledRecord('academicSessions', { sourcedId: 't', title: 'Fall', type: 'term', startDate: '2026-08-17', endDate: '2027-01-11', parent: { sourcedId: 'y' } }, noTypes),
      toPulledRecord('academicSessions', { sourcedId: 'lone', title: 'Summer', type: 'term', startDate: '2026-06-01', endDate: '2026-07-31' }, noTypes),
    ];
    fillSchoolYears(sessions);
    assert.deepEqual(sessions.map((s) => s.data.schoolYear), ['2027', '2027', '2027', '2026']);
    assert.deepEqual(Object.keys(sessions[1].data), ['title', 'type', 'startDate', 'endDate', 'parent', 'schoolYear']);
  });

  describe('paging', () => {
    let server: FaultServer;
    const items = Array.from({ length: 230 }, (_, i) => ({ sourcedId: `u${String(i).padStart(3, '0')}` }));
    before(async () => {
      server = await FaultServer.start();
      server.route('/link/users', offsetListing(items, { key: 'users' }));
      server.route('/total/users', offsetListing(items, { key: 'users', linkHeader: false }));
      server.route('/capped/users', offsetListing(items, { key: 'users', linkHeader: false, totalHeader: false, maxLimit: 40 }));
      server.route('/noOffset/users', (req) => ({ json: { users: items.slice(0, Number(req.url.searchParams.get('limit'))) } }));
    });
    after(() => server.close());
    const read = async (base: string, limit: number) => {
      const http = new ConnectorHttp({ connection: { id: 'c' }, baseUrl: `${server.url}/${base}` });
      const seen: string[] = [];
      const ids: string[] = [];
      for await (const page of oneRosterPages({ http, path: 'users', keys: ['users'], limit, entity: 'users', onPaging: (h) => seen.push(h) })) {
        ids.push(...page.items.map((i) => (i as { sourcedId: string }).sourcedId));
      }
      return { ids, seen, hits: server.hits(`/${base}/users`) };
    };

    test('Link rel=next, then X-Total-Count, then short pages; a silently capped limit loses nothing', async () => {
      const all = items.map((i) => i.sourcedId);
      assert.deepEqual(await read('link', 100), { ids: all, seen: ['link'], hits: 3 });
      assert.deepEqual(await read('total', 100), { ids: all, seen: ['total'], hits: 3 });
      assert.deepEqual(await read('capped', 100), { ids: all, seen: ['short-page'], hits: 6 });
      const ignored = await read('noOffset', 50);
      assert.deepEqual([ignored.ids.length, ignored.seen], [100, ['short-page', 'offset-ignored']], 'a server ignoring offset ends the listing');
    });
  });

  test('OAuth 2: the token is kept until shortly before it expires, then fetched again; Basic refused → form body', async () => {
    const server = await FaultServer.start();
    const tokens: string[] = [];
    server.route('/oauth/token', (req) => {
      const form = new URLSearchParams(req.body);
      if (req.headers.authorization) return { status: 401, json: { error: 'invalid_client' } };
      if (form.get('client_id') !== 'id' || form.get('client_secret') !== 'pw' || form.get('appName') !== 'app') return { status: 401, json: { error: 'invalid_client' } };
      tokens.push(`t${tokens.length + 1}`);
      return { json: { access_token: tokens.at(-1), expires_in: 100 } };
    }, 'POST');
    try {
      const clock = new FakeClock();
      const http = new ConnectorHttp({ connection: { id: 'c' }, profile: tokenProfile(undefined), clock });
      const auth = oauth2ClientCredentials({ http, tokenUrl: `${server.url}/oauth/token`, clientId: 'id', clientSecret: 'pw', params: { appName: 'app' }, clock });
      const req = { method: 'GET', url: new URL(server.url) };
      assert.deepEqual(await auth.authorize(req), { authorization: 'Bearer t1' });
      clock.advance(85_000);
      assert.deepEqual(await auth.authorize(req), { authorization: 'Bearer t1' });
      clock.advance(6_000); // 91 s of 100: within the last tenth
      assert.deepEqual(await auth.authorize(req), { authorization: 'Bearer t2' });
      assert.equal(auth.fetches(), 3, 'Basic once (refused), then the form body, which is kept');
    } finally {
      await server.close();
    }
  });
});
