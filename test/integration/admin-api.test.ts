import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type pino from 'pino';
import { createAdmin, disableAdmin, ensureBootstrapAdmin } from '../../src/auth/admins.js';
import { createClient } from '../../src/auth/clients.js';
import { verifySecret } from '../../src/auth/secrets.js';
import { findToken, issueToken } from '../../src/auth/tokens.js';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { loadConfig } from '../../src/config.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { createLogger } from '../../src/log.js';
import type { Database } from '../../src/store/db.js';
import { ensureTenant } from '../../src/store/tenants.js';
import { createAdminApp, listen } from '../helpers/admin-app.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

const TTL = 900;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

for (const engine of engines()) {
  describe(`admin API (${engine.name})`, () => {
    let db: Database;
    let server: { url: string; close(): Promise<void> };
    let logs = '';
    /** Every secret and token the suite sees; none may reach the log. */
    const secrets: string[] = [];
    const root = { id: '', secret: '' };
    const t2Admin = { id: '', secret: '' };

    const keep = (s: string) => (secrets.push(s), s);
    const token = async (id: string, secret: string): Promise<string> => {
      const r = await post('/token', { form: { grant_type: 'client_credentials' }, auth: basic(id, secret) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return keep(r.body.access_token);
    };
    const call = async (method: string, path: string, o: { bearer?: string; json?: unknown; raw?: string; form?: Record<string, string>; auth?: string } = {}) => {
      const headers: Record<string, string> = {};
      if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
      if (o.auth) headers.authorization = o.auth;
      let body: string | undefined;
      if (o.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(o.form).toString();
      } else if (o.json !== undefined || o.raw !== undefined) {
        headers['content-type'] = 'application/json';
        body = o.raw ?? JSON.stringify(o.json);
      }
      const res = await fetch(`${server.url}/admin/v1${path}`, { method, headers, body });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
    };
    const get = (path: string, bearer?: string) => call('GET', path, { bearer });
    const post = (path: string, o: Parameters<typeof call>[2] = {}) => call('POST', path, o);
    const put = (path: string, bearer: string, json: unknown) => call('PUT', path, { bearer, json });
    const keyRing = KeyRing.fromEnvValue(KeyRing.generateKey());
    const sealedOf = async (clientId: string) =>
      keyRing.open((await db.knex.raw('select secret_sealed from api_clients where client_id = ?', [clientId])).rows[0].secret_sealed);
    const hashOf = async (clientId: string) => (await db.knex.raw('select secret_hash from api_clients where client_id = ?', [clientId])).rows[0].secret_hash as string;

    before(async () => {
      db = await engine.open();
      const report = await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 't1' });
      assert.equal(report.outcome, 'succeeded');
      await ensureTenant(db.knex, 't2');
      const r = await createAdmin(db.knex, { name: 'Root' });
      Object.assign(root, { id: r.admin.adminId, secret: keep(r.secret) });
      const t = await createAdmin(db.knex, { name: 'T2 only', tenant: 't2' });
      Object.assign(t2Admin, { id: t.admin.adminId, secret: keep(t.secret) });
      const sink = { write: (s: string) => void (logs += s) } as pino.DestinationStream;
      const config = { ...loadConfig({}), tokenTtlSeconds: TTL };
      server = await listen(createAdminApp({ db, config, log: createLogger('debug', sink), keyRing }));
    });
    after(async () => {
      await server.close();
      await db.close();
    });

    test('a token by HTTP Basic and by the form body', async () => {
      assert.match(root.id, /^adm_/);
      const byBasic = await post('/token', { form: { grant_type: 'client_credentials' }, auth: basic(root.id, root.secret) });
      assert.equal(byBasic.status, 200);
      assert.deepEqual(Object.keys(byBasic.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(byBasic.body.token_type, 'Bearer');
      assert.equal(byBasic.body.scope, 'admin');
      assert.equal(byBasic.body.expires_in, TTL);
      assert.equal(byBasic.headers.get('cache-control'), 'no-store');
      keep(byBasic.body.access_token);
      const byBody = await post('/token', { form: { grant_type: 'client_credentials', client_id: root.id, client_secret: root.secret } });
      assert.equal(byBody.status, 200);
      keep(byBody.body.access_token);
      const stored = await findToken(db.knex, 'admin', byBody.body.access_token);
      assert.equal(stored?.principalId, root.id);
      assert.equal((await get('/tenants', byBody.body.access_token)).status, 200);
    });

    test('wrong credentials are a 401 invalid_client with a Basic challenge; malformed requests a 400', async () => {
      for (const r of [
        await post('/token', { form: { grant_type: 'client_credentials' }, auth: basic(root.id, 'not-the-secret-at-all') }),
        await post('/token', { form: { grant_type: 'client_credentials', client_id: 'adm_nobody', client_secret: root.secret } }),
        await post('/token', { form: { grant_type: 'client_credentials' } }),
      ]) {
        assert.equal(r.status, 401);
        assert.equal(r.body.error, 'invalid_client');
        assert.equal(typeof r.body.error_description, 'string');
        assert.equal(r.headers.get('www-authenticate'), 'Basic realm="rollcall-admin"');
      }
      const noGrant = await post('/token', { form: { client_id: root.id, client_secret: root.secret } });
      assert.equal(noGrant.status, 400);
      assert.equal(noGrant.body.error, 'invalid_request');
      const wrongGrant = await post('/token', { form: { grant_type: 'password' }, auth: basic(root.id, root.secret) });
      assert.equal(wrongGrant.body.error, 'unsupported_grant_type');
      const both = await post('/token', { form: { grant_type: 'client_credentials', client_id: root.id, client_secret: root.secret }, auth: basic(root.id, root.secret) });
      assert.equal(both.status, 400);
      const scope = await post('/token', { form: { grant_type: 'client_credentials', scope: 'roster' }, auth: basic(root.id, root.secret) });
      assert.equal(scope.body.error, 'invalid_scope');
    });

    test('no token, an unknown token, a OneRoster client token and a disabled admin are refused', async () => {
      const none = await get('/tenants');
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'unauthorized');
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="rollcall-admin"/);
      const unknown = await get('/tenants', 'no-such-token');
      assert.equal(unknown.status, 401);
      assert.match(unknown.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

      const { client } = await createClient(db.knex, { tenant: 't1', name: 'Roster app' });
      const oneroster = await issueToken(db.knex, 'oneroster', client.clientId, ['admin'], 600);
      assert.equal((await get('/tenants', keep(oneroster.accessToken))).status, 401);
      // Even a OneRoster token whose principal id is an admin's is no admin token.
      const lookalike = await issueToken(db.knex, 'oneroster', root.id, ['admin'], 600);
      assert.equal((await get('/tenants', keep(lookalike.accessToken))).status, 401);

      const temp = await createAdmin(db.knex, { name: 'Temp' });
      keep(temp.secret);
      const tok = await token(temp.admin.adminId, temp.secret);
      assert.equal((await get('/tenants', tok)).status, 200);
      await db.knex.raw('update admins set disabled = true where admin_id = ?', [temp.admin.adminId]);
      assert.equal((await get('/tenants', tok)).status, 401, 'a disabled admin is refused even with a live token');
      await disableAdmin(db.knex, temp.admin.adminId);
      assert.equal(await findToken(db.knex, 'admin', tok), undefined);
      const again = await post('/token', { form: { grant_type: 'client_credentials' }, auth: basic(temp.admin.adminId, temp.secret) });
      assert.equal(again.status, 401);
    });

    test('a tenant admin sees only its tenant; other tenants are absent (404)', async () => {
      const rootTok = await token(root.id, root.secret);
      const t2Tok = await token(t2Admin.id, t2Admin.secret);
      assert.deepEqual((await get('/tenants', rootTok)).body.tenants.map((t: { id: string }) => t.id), ['t1', 't2']);
      assert.deepEqual((await get('/tenants', t2Tok)).body.tenants.map((t: { id: string }) => t.id), ['t2']);

      const { client } = await createClient(db.knex, { tenant: 't1', name: 'Hidden from t2' });
      for (const path of ['/tenants/t1/clients', `/tenants/t1/clients/${client.clientId}`, '/tenants/t1/import-runs']) {
        const r = await get(path, t2Tok);
        assert.equal(r.status, 404, path);
        assert.equal(r.body.error.code, 'not_found');
        assert.equal(r.body.error.message, 'no tenant "t1"');
      }
      const create = await call('POST', '/tenants/t1/clients', { bearer: t2Tok, json: { name: 'sneaky' } });
      assert.equal(create.status, 404);
      assert.equal((await post(`/tenants/t1/clients/${client.clientId}/disable`, { bearer: t2Tok })).status, 404);
      assert.deepEqual((await get('/tenants/t2/clients', t2Tok)).body, { clients: [] });
      // A client is reached only through its own tenant, by anyone.
      assert.equal((await get(`/tenants/t2/clients/${client.clientId}`, rootTok)).status, 404);
      assert.equal((await get('/tenants/nope/clients', rootTok)).status, 404);
      assert.equal((await get('/no/such/route', rootTok)).status, 404);
    });

    test('create, read, rotate, disable and enable a client; the secret appears only when created or rotated', async () => {
      const tok = await token(root.id, root.secret);
      const created = await call('POST', '/tenants/t1/clients', { bearer: tok, json: { name: 'Gradebook', scopes: ['core', 'demographics'] } });
      assert.equal(created.status, 201, created.text);
      const { clientId, clientSecret } = created.body;
      keep(clientSecret);
      assert.equal(created.headers.get('location'), `/admin/v1/tenants/t1/clients/${clientId}`);
      assert.equal(created.body.tenant, 't1');
      assert.equal(created.body.scopes.length, 4);
      assert.ok(await verifySecret(clientSecret, await hashOf(clientId)));
      assert.equal(await sealedOf(clientId), clientSecret, 'sealed for OAuth 1.0a');

      const list = await get('/tenants/t1/clients', tok);
      const one = await get(`/tenants/t1/clients/${clientId}`, tok);
      assert.ok(list.body.clients.some((c: { clientId: string }) => c.clientId === clientId));
      assert.equal(one.body.clientId, clientId);
      assert.deepEqual(one.body.sharing, { schools: null, demographics: true, guardians: true, userFlags: true, maskedFields: [] });
      assert.equal(one.body.rateLimitPerMinute, null);
      for (const r of [list, one]) {
        assert.ok(!r.text.includes(clientSecret));
        assert.doesNotMatch(r.text, /scrypt\$|secretHash|secret_hash|clientSecret/);
      }

      const live = await issueToken(db.knex, 'oneroster', clientId, created.body.scopes, 600);
      keep(live.accessToken);
      const rotated = await post(`/tenants/t1/clients/${clientId}/rotate-secret`, { bearer: tok });
      assert.equal(rotated.status, 200);
      keep(rotated.body.clientSecret);
      assert.notEqual(rotated.body.clientSecret, clientSecret);
      assert.ok(rotated.body.secretRotatedAt);
      assert.equal(await verifySecret(clientSecret, await hashOf(clientId)), false);
      assert.ok(await verifySecret(rotated.body.clientSecret, await hashOf(clientId)));
      assert.equal(await sealedOf(clientId), rotated.body.clientSecret, 'the sealed copy is replaced too');
      assert.equal(await findToken(db.knex, 'oneroster', live.accessToken), undefined, 'rotation revokes tokens');
      assert.ok(!(await get(`/tenants/t1/clients/${clientId}`, tok)).text.includes(rotated.body.clientSecret));

      const disabled = await post(`/tenants/t1/clients/${clientId}/disable`, { bearer: tok });
      assert.equal(disabled.body.disabled, true);
      assert.equal('clientSecret' in disabled.body, false);
      const enabled = await post(`/tenants/t1/clients/${clientId}/enable`, { bearer: tok });
      assert.equal(enabled.body.disabled, false);

      const dup = await call('POST', '/tenants/t1/clients', { bearer: tok, json: { name: 'Again', clientId } });
      assert.equal(dup.status, 409);
      const badScope = await call('POST', '/tenants/t1/clients', { bearer: tok, json: { name: 'X', scopes: ['everything'] } });
      assert.equal(badScope.status, 400);
      assert.match(badScope.body.error.message, /unknown scope "everything"/);
      const extra = await call('POST', '/tenants/t1/clients', { bearer: tok, json: { name: 'X', tenant: 't2' } });
      assert.equal(extra.status, 400);
      const notJson = await call('POST', '/tenants/t1/clients', { bearer: tok, raw: '{"name":' });
      assert.equal(notJson.status, 400);
      assert.equal(notJson.body.error.message, 'the request body is not valid JSON');
    });

    test('sharing and rate limits are validated (400 with a message) and saved', async () => {
      const tok = await token(root.id, root.secret);
      const { client } = await createClient(db.knex, { tenant: 't1', name: 'Shared' });
      const path = `/tenants/t1/clients/${client.clientId}`;
      const unknown = await put(`${path}/sharing`, tok, { schools: ['org-s1', 'org-nope', 'org-d'] });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.code, 'invalid_input');
      assert.equal(unknown.body.error.message, 'not schools of tenant "t1": org-nope, org-d');
      assert.deepEqual(unknown.body.error.details.unknownSchools, ['org-nope', 'org-d']);
      const badMask = await put(`${path}/sharing`, tok, { maskedFields: ['users.sourcedId'] });
      assert.equal(badMask.status, 400);
      assert.match(badMask.body.error.message, /^invalid sharing: maskedFields\.0: a masked field is/);
      const badType = await put(`${path}/sharing`, tok, { demographics: 'no' });
      assert.equal(badType.status, 400);
      assert.match(badType.body.error.message, /demographics/);
      assert.equal((await put(`${path}/sharing`, tok, { shcools: [] })).status, 400);

      const ok = await put(`${path}/sharing`, tok, { schools: ['org-s2', 'org-s1'], guardians: false, maskedFields: ['users.email'] });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body.sharing, { schools: ['org-s2', 'org-s1'], demographics: true, guardians: false, userFlags: true, maskedFields: ['users.email'] });
      assert.deepEqual((await get(path, tok)).body.sharing, ok.body.sharing);

      assert.equal((await put(`${path}/rate-limit`, tok, { perMinute: 0 })).status, 400);
      assert.equal((await put(`${path}/rate-limit`, tok, { perMinute: 1.5 })).status, 400);
      assert.equal((await put(`${path}/rate-limit`, tok, { perMinute: 60 })).body.rateLimitPerMinute, 60);
      assert.equal((await put(`${path}/rate-limit`, tok, { perMinute: null })).body.rateLimitPerMinute, null);
    });

    test('import runs of a tenant, newest first', async () => {
      const tok = await token(root.id, root.secret);
      await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 't1', source: 'second' });
      const runs = await get('/tenants/t1/import-runs?limit=5', tok);
      assert.equal(runs.status, 200);
      assert.deepEqual(runs.body.importRuns.map((r: { source: string }) => r.source), ['second', 'csv']);
      assert.equal(runs.body.importRuns[0].outcome, 'succeeded');
      assert.equal(runs.body.importRuns[0].report.tenant, 't1');
      assert.equal((await get('/tenants/t1/import-runs?limit=1', tok)).body.importRuns.length, 1);
      assert.equal((await get('/tenants/t1/import-runs?limit=0', tok)).status, 400);
      assert.deepEqual((await get('/tenants/t2/import-runs', tok)).body, { importRuns: [] });
    });

    test('the bootstrap admin: created from the secret, kept, and replaced when the secret changes', async () => {
      const first = keep('first-bootstrap-secret-0001');
      const second = keep('second-bootstrap-secret-0002');
      assert.equal((await ensureBootstrapAdmin(db.knex, first)).action, 'created');
      assert.equal((await ensureBootstrapAdmin(db.knex, first)).action, 'unchanged');
      const oldTok = await token('admin', first);
      assert.deepEqual((await get('/tenants', oldTok)).body.tenants.map((t: { id: string }) => t.id), ['t1', 't2']);

      const changed = await ensureBootstrapAdmin(db.knex, second);
      assert.equal(changed.action, 'updated');
      assert.equal(changed.admin.tenant, null);
      const refused = await post('/token', { form: { grant_type: 'client_credentials' }, auth: basic('admin', first) });
      assert.equal(refused.status, 401);
      assert.equal((await get('/tenants', oldTok)).status, 401, 'tokens of the old secret are revoked');
      const newTok = await token('admin', second);
      assert.equal((await get('/tenants/t1/clients', newTok)).status, 200);
    });

    test('an unexpected failure is a 500 with a request id; its details go only to the log', async () => {
      const tok = await token(root.id, root.secret);
      await db.knex.raw('alter table import_runs rename to import_runs_away');
      try {
        const r = await get('/tenants/t1/import-runs', tok);
        assert.equal(r.status, 500);
        assert.equal(r.body.error.code, 'internal');
        assert.match(r.body.error.message, /^internal error \(request id [0-9a-f-]{36}\)$/);
        assert.doesNotMatch(r.text, /import_runs/);
        assert.ok(logs.includes(r.body.error.details.requestId));
      } finally {
        await db.knex.raw('alter table import_runs_away rename to import_runs');
      }
    });

    test('no secret or token reaches the log', () => {
      assert.ok(logs.includes('admin token issued'), 'the suite did log');
      assert.ok(secrets.length > 10);
      for (const s of secrets) assert.ok(!logs.includes(s), `a secret was logged: ${s.slice(0, 4)}…`);
    });
  });
}
