import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { BASE_PATH } from '../../src/api/oneroster/handlers.js';
import { importCsv } from '../../src/ingest/csv/import.js';
import { createLogger } from '../../src/log.js';
import type { Database } from '../../src/store/db.js';
import { clientWithToken, get, startApi, type ApiUnderTest } from '../helpers/api-server.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

const [engine] = engines(); // what is logged does not depend on the engine

describe('logs never hold secrets or tokens', () => {
  let db: Database;
  let api: ApiUnderTest;
  const lines: string[] = [];

  before(async () => {
    db = await engine.open();
    await importCsv(db.knex, { location: FIXTURE_1P1, tenant: 'fixture' });
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    api = await startApi(db, { log: createLogger('trace', sink) });
  });
  after(async () => {
    await api?.close();
    await db?.close();
  });

  test('a full token-and-request cycle, failures included', async () => {
    const { clientId, clientSecret, token } = await clientWithToken(db, api, 'fixture');
    const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    // A wrong secret that shares a prefix with the real one, and the secret in the form body.
    await fetch(`${api.url}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientSecret}x` }).toString(),
    });
    await fetch(`${api.url}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
      body: 'grant_type=client_credentials',
    });
    for (const version of ['1.1', '1.2'] as const) {
      await get(`${api.url}${BASE_PATH[version]}/users?limit=2`, token);
      await get(`${api.url}${BASE_PATH[version]}/users/nobody`, token);
      await get(`${api.url}${BASE_PATH[version]}/users`, `${token}x`);
    }
    await db.knex.raw('alter table orgs rename to orgs_away');
    try {
      assert.equal((await get(`${api.url}${BASE_PATH['1.2']}/orgs`, token)).status, 500); // logged with its error
    } finally {
      await db.knex.raw('alter table orgs_away rename to orgs');
    }
    const log = lines.join('');
    assert.ok(lines.length >= 9, `the cycle was logged (${lines.length} lines)`);
    assert.ok(log.includes('"status":500') && log.includes('OneRoster request failed'), 'the failure is in the log');
    for (const secret of [clientSecret, token, basic.slice(6), encodeURIComponent(clientSecret)]) {
      assert.ok(!log.includes(secret), 'a secret or token reached the log');
    }
  });
});
