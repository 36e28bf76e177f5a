import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { after, before, describe, test } from 'node:test';
import { setRateLimit, setSharing, disableClient } from '../../src/auth/clients.js';
import { ENDPOINTS, type Endpoint } from '../../src/api/oneroster/endpoints.js';
import { BASE_PATH } from '../../src/api/oneroster/handlers.js';
import { loadDemo } from '../../src/demo/load-demo.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import type { OneRosterVersion } from '../../src/model/vocab.js';
import type { Database } from '../../src/store/db.js';
import { clientWithToken, get, requestToken, startApi, type ApiUnderTest } from '../helpers/api-server.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

const VERSIONS: OneRosterVersion[] = ['1.1', '1.2'];
const V = { '1.1': 'v1p1', '1.2': 'v1p2' } as const;
const scopeUri = (version: OneRosterVersion, name: string) => `https://purl.imsglobal.org/spec/or/${V[version]}/scope/${name}.readonly`;

/** Path parameters from the fixture for each parameter name. */
const FIXTURE_PARAMS: Record<string, string> = {
  sourcedId: '', schoolSourcedId: 'org-s1', classSourcedId: 'cls-1', termSourcedId: 'as-t1', courseSourcedId: 'crs-1',
  studentSourcedId: 'a1', teacherSourcedId: 'usr-t1', userSourcedId: 'a1',
};
/** A fixture record each single-object endpoint can name. */
const SINGLE_ID: Record<string, string> = {
  academicSessions: 'as-y', classes: 'cls-1', courses: 'crs-1', gradingPeriods: 'as-g1', demographics: 'a1', enrollments: 'enr-1',
  orgs: 'org-d', schools: 'org-s1', students: 'a1', teachers: 'usr-t1', terms: 'as-t1', users: 'a1',
};

function urlOf(ep: Endpoint, version: OneRosterVersion, params: Record<string, string> = FIXTURE_PARAMS): string {
  const top = ep.path.split('/')[1]!;
  const filled = ep.path.replace(/\{(\w+)\}/g, (_, n: string) => (n === 'sourcedId' ? SINGLE_ID[top]! : params[n]!));
  return `${BASE_PATH[version]}${filled}`;
}

/** Which scope (of the version's family) each endpoint accepts, per spec/oneroster.md §6.1. */
function allowed(ep: Endpoint, scope: string): boolean {
  if (ep.scope === 'demographics') return scope === 'roster-demographics';
  if (ep.scope === 'roster') return scope === 'roster';
  return scope === 'roster' || scope === 'roster-core';
}

const statusCodeMinor = (version: OneRosterVersion, body: any) =>
  version === '1.1' ? body.statusInfoSet[0].imsx_codeMinor : body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue;

for (const engine of engines()) {
  describe(`API access: tokens, scopes, tenants and sharing (${engine.name})`, () => {
    let db: Database;
    let api: ApiUnderTest;
    let full: { clientId: string; clientSecret: string; token: string };

    before(async () => {
      db = await engine.open();
      await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'fixture' });
      await loadDemo(db.knex, 'other', { students: 30, seed: 3 });
      api = await startApi(db);
      full = await clientWithToken(db, api, 'fixture');
    });
    after(async () => {
      await api?.close();
      await db?.close();
    });

    test('the token endpoint: Basic and form-body client authentication, scopes, RFC 6749 errors', async () => {
      const post = (body: Record<string, string>, basic?: string) =>
        fetch(`${api.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {}) },
          body: new URLSearchParams(body).toString(),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any, headers: r.headers }));

      let r = await post({ grant_type: 'client_credentials' }, `${full.clientId}:${full.clientSecret}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.token_type, 'Bearer');
      assert.ok(r.body.expires_in > 0 && r.body.access_token);
      assert.equal(r.body.scope.split(' ').length, 6, 'no scope asked: everything the client is allowed');
      assert.equal(r.headers.get('cache-control'), 'no-store');

      r = await post({ grant_type: 'client_credentials', client_id: full.clientId, client_secret: full.clientSecret, scope: scopeUri('1.2', 'roster-core') });
      assert.equal(r.status, 200, 'credentials in the form body');
      assert.equal(r.body.scope, scopeUri('1.2', 'roster-core'));

      r = await post({ grant_type: 'client_credentials' }, `${full.clientId}:wrong-secret-wrong-secret`);
      assert.equal(r.status, 401);
      assert.equal(r.body.error, 'invalid_client');
      r = await post({ grant_type: 'password', username: 'x', password: 'y' }, `${full.clientId}:${full.clientSecret}`);
      assert.equal(r.body.error, 'unsupported_grant_type');
      assert.equal(r.status, 400);
      const narrow = await clientWithToken(db, api, 'fixture', { scopes: [scopeUri('1.2', 'roster-core')] });
      r = await post({ grant_type: 'client_credentials', scope: scopeUri('1.2', 'roster') }, `${narrow.clientId}:${narrow.clientSecret}`);
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'invalid_scope');
    });

    test('every endpoint × {no token, wrong tenant, each scope} gives the expected status', async () => {
      const other = await clientWithToken(db, api, 'other');
      const byScope: Record<string, Record<OneRosterVersion, string>> = {};
      for (const name of ['roster-core', 'roster', 'roster-demographics']) {
        const c = await clientWithToken(db, api, 'fixture', { scopes: [scopeUri('1.1', name), scopeUri('1.2', name)] });
        byScope[name] = {
          '1.1': await requestToken(api.url, c.clientId, c.clientSecret, scopeUri('1.1', name)),
          '1.2': await requestToken(api.url, c.clientId, c.clientSecret, scopeUri('1.2', name)),
        };
      }
      const v12Only = await requestToken(api.url, full.clientId, full.clientSecret, [scopeUri('1.2', 'roster'), scopeUri('1.2', 'roster-demographics')].join(' '));
      let n = 0;
      for (const version of VERSIONS) {
        for (const ep of ENDPOINTS) {
          const url = `${api.url}${urlOf(ep, version)}`;
          const anon = await get(url);
          assert.equal(anon.status, 401, url);
          assert.equal(statusCodeMinor(version, anon.body), version === '1.1' ? 'unauthorized' : 'unauthorisedrequest');
          const garbage = await get(url, 'not-a-token');
          assert.equal(garbage.status, 401, url);

          const mine = await get(url, full.token);
          assert.equal(mine.status, 200, `${url}: ${JSON.stringify(mine.body)}`);

          // Another tenant's client: the fixture's ids do not exist for it.
          const theirs = await get(url, other.token);
          if (ep.single || (ep.parents.length && version === '1.2')) {
            assert.equal(theirs.status, 404, `${url} for another tenant`);
          } else {
            assert.equal(theirs.status, 200, url);
            const ids: string[] = theirs.body[ep.key].map((r: any) => r.sourcedId);
            assert.ok(ids.every((id) => !['a1', 'org-s1', 'cls-1', 'enr-1', 'as-t1', 'crs-1', 'org-d'].includes(id)), `${url} leaked: ${ids.join(',')}`);
            if (ep.parents.length) assert.deepEqual(ids, [], `${url}: unknown parent for another tenant`);
          }

          for (const [name, tokens] of Object.entries(byScope)) {
            const res = await get(url, tokens[version]);
            assert.equal(res.status, allowed(ep, name) ? 200 : 403, `${url} with ${name}`);
            if (res.status === 403) assert.equal(statusCodeMinor(version, res.body), 'forbidden');
          }
          // A token holding only 1.2 scopes opens nothing on the 1.1 base.
          assert.equal((await get(url, v12Only)).status, version === '1.1' ? 403 : 200, `${url} with v1p2 scopes`);
          n++;
        }
      }
      assert.equal(n, 82);
    });

    test('a school-scoped client sees only its schools, by any path, id, filter or nested route', async () => {
      const scoped = await clientWithToken(db, api, 'fixture');
      await setSharing(db.knex, scoped.clientId, { schools: ['org-s1'], guardians: false, userFlags: false, maskedFields: ['users.email'] });
      // What the fixture holds at org-s1 (and its district), with guardians withheld.
      const visible = new Set(['org-s1', 'org-d', 'as-y', 'as-t1', 'as-t2', 'as-g1', 'crs-1', 'cls-1', 'enr-1', 'enr-4', 'a1', 'usr-t1']);
      for (const version of VERSIONS) {
        for (const ep of ENDPOINTS) {
          for (const params of [FIXTURE_PARAMS, { ...FIXTURE_PARAMS, schoolSourcedId: 'org-s2', classSourcedId: 'cls-2', courseSourcedId: 'crs-2', studentSourcedId: 'usr-s2', teacherSourcedId: 'usr-t2', userSourcedId: 'usr-s2', termSourcedId: 'as-t2' }]) {
            const url = `${api.url}${urlOf(ep, version, params)}`;
            const res = await get(url, scoped.token);
            if (ep.single) {
              const id = SINGLE_ID[ep.path.split('/')[1]!]!;
              assert.equal(res.status, visible.has(id) ? 200 : 404, url);
              continue;
            }
            if (res.status === 404) {
              assert.equal(version, '1.2', `${url}: only 1.2 answers an invisible parent with 404`);
              continue;
            }
            assert.equal(res.status, 200, url);
            for (const r of res.body[ep.key]) {
              assert.ok(visible.has(r.sourcedId), `${url} leaked ${r.sourcedId}`);
              assert.ok(!('email' in r) && !('agents' in r) && !r.metadata?.['microsoft.userFlags'], `${url}: masked data in ${r.sourcedId}`);
              for (const o of r.orgs ?? []) assert.ok(visible.has(o.sourcedId), `${url}: reference to ${o.sourcedId}`);
            }
          }
        }
      }
      const v11 = `${api.url}${BASE_PATH['1.1']}`;
      const or = await get(`${v11}/users?filter=${encodeURIComponent("sourcedId='usr-s2' OR status='active'")}`, scoped.token);
      assert.deepEqual(or.body.users.map((u: any) => u.sourcedId).sort(), ['a1', 'usr-t1'], 'an OR cannot widen the scope');
      const enr = await get(`${v11}/enrollments?filter=${encodeURIComponent("school.sourcedId='org-s2' OR school.sourcedId='org-s1'")}`, scoped.token);
      assert.deepEqual(enr.body.enrollments.map((e: any) => e.sourcedId).sort(), ['enr-1', 'enr-4']);
      for (const filter of ["email~'example'", "metadata.microsoft.userFlags~'IEP'", "agents.sourcedId='usr-g1'"]) {
        const res = await get(`${v11}/users?filter=${encodeURIComponent(filter)}`, scoped.token);
        assert.equal(res.status, 400, `${filter} would reveal withheld data`);
        assert.equal(res.body.statusInfoSet[0].imsx_codeMinor, 'invalid_filter_field');
      }
      assert.equal((await get(`${v11}/users/usr-g1`, scoped.token)).status, 404, 'guardians withheld');

      await setSharing(db.knex, scoped.clientId, { demographics: false });
      const demo = await get(`${api.url}${BASE_PATH['1.2']}/demographics`, scoped.token);
      assert.equal(demo.status, 403);
    });

    test('tokens die with their client, expire, and are honoured by every process on the database', async () => {
      const c = await clientWithToken(db, api, 'fixture');
      const url = `${BASE_PATH['1.2']}/orgs`;
      const second = await startApi(db);
      try {
        assert.equal((await get(`${second.url}${url}`, c.token)).status, 200, 'a token from one process works on another');
        await db.knex.raw(`update access_tokens set expires_at = now() - interval '1 second' where principal_id = ?`, [c.clientId]);
        assert.equal((await get(`${api.url}${url}`, c.token)).status, 401, 'expired');
        const fresh = await requestToken(api.url, c.clientId, c.clientSecret);
        assert.equal((await get(`${second.url}${url}`, fresh)).status, 200);
        await disableClient(db.knex, c.clientId);
        assert.equal((await get(`${second.url}${url}`, fresh)).status, 401, 'a disabled client\'s tokens die');
        await assert.rejects(requestToken(api.url, c.clientId, c.clientSecret), /invalid_client/);
      } finally {
        await second.close();
      }
    });

    test('OAuth 1.0a: requests signed by an independent library pass on v1p1; tampered, replayed or on v1p2 they fail', async () => {
      const c = await clientWithToken(db, api, 'fixture');
      for (const [method, hash] of [['HMAC-SHA256', 'sha256'], ['HMAC-SHA1', 'sha1']] as const) {
        const oauth = new OAuth({
          consumer: { key: c.clientId, secret: c.clientSecret },
          signature_method: method,
          hash_function: (base, key) => createHmac(hash, key).update(base).digest('base64'),
        });
        const sign = (url: string) => oauth.toHeader(oauth.authorize({ url, method: 'GET' })).Authorization;
        const url = `${api.url}${BASE_PATH['1.1']}/users?limit=2&filter=${encodeURIComponent("status='active' AND role='student'")}`;
        const header = sign(url);
        let res = await fetch(url, { headers: { authorization: header } });
        assert.equal(res.status, 200, `${method}: ${await res.clone().text()}`);
        assert.deepEqual(((await res.json()) as any).users.map((u: any) => u.role), ['student', 'student']);
        res = await fetch(url, { headers: { authorization: header } });
        assert.equal(res.status, 401, `${method}: a replayed nonce is refused`);
        res = await fetch(url.replace('limit=2', 'limit=3'), { headers: { authorization: sign(url) } });
        assert.equal(res.status, 401, `${method}: a tampered query is refused`);
        const v12 = `${api.url}${BASE_PATH['1.2']}/users?limit=2`;
        res = await fetch(v12, { headers: { authorization: sign(v12) } });
        assert.equal(res.status, 401, 'OneRoster 1.2 accepts only bearer tokens');
      }
      const stale = new OAuth({
        consumer: { key: c.clientId, secret: c.clientSecret },
        signature_method: 'HMAC-SHA256',
        hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
      });
      const url = `${api.url}${BASE_PATH['1.1']}/orgs`;
      const data = stale.authorize({ url, method: 'GET' });
      data.oauth_timestamp = Math.floor(Date.now() / 1000) - 11 * 60;
      data.oauth_signature = stale.getSignature({ url, method: 'GET' }, c.clientSecret, data);
      const res = await fetch(url, { headers: { authorization: stale.toHeader(data).Authorization } });
      assert.equal(res.status, 401, 'an 11-minute-old timestamp is refused');
      assert.match(((await res.json()) as any).statusInfoSet[0].imsx_description, /timestamp/i);
    });

    test('rate limits answer 429 server_busy with Retry-After', async () => {
      const c = await clientWithToken(db, api, 'fixture');
      await setRateLimit(db.knex, c.clientId, 3);
      for (let i = 0; i < 3; i++) assert.equal((await get(`${api.url}${BASE_PATH['1.1']}/orgs`, c.token)).status, 200);
      for (const version of VERSIONS) {
        const res = await get(`${api.url}${BASE_PATH[version]}/orgs`, c.token);
        assert.equal(res.status, 429);
        assert.equal(statusCodeMinor(version, res.body), 'server_busy');
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
      }
      assert.equal((await get(`${api.url}${BASE_PATH['1.1']}/orgs`, full.token)).status, 200, 'other clients are not affected');
    });
  });
}
