import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import OAuth from 'oauth-1.0a';
import { pgNonceStore, verifyOAuth1 } from '../../src/auth/oauth1.js';
import type { Database } from '../../src/store/db.js';
import { engines } from '../helpers/engines.js';

for (const engine of engines()) {
  describe(`OAuth 1.0a nonces in the database (${engine.name})`, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
    });
    after(async () => db?.close());

    const inTenMinutes = () => new Date(Date.now() + 600_000);

    test('the second use of a (client, nonce) is refused; the same nonce for another client is not', async () => {
      const store = pgNonceStore(db.knex, { sweepChance: 0 });
      assert.equal(await store.rememberNonce('client-a', 'n1', inTenMinutes()), true);
      assert.equal(await store.rememberNonce('client-a', 'n1', inTenMinutes()), false);
      assert.equal(await store.rememberNonce('client-b', 'n1', inTenMinutes()), true);
      assert.equal(await store.rememberNonce('client-a', 'n2', inTenMinutes()), true);
      // Nonces are compared exactly (collate "C"): case matters.
      assert.equal(await store.rememberNonce('client-a', 'N1', inTenMinutes()), true);
    });

    test('expired nonces are swept', async () => {
      await pgNonceStore(db.knex, { sweepChance: 0 }).rememberNonce('client-c', 'old', new Date(Date.now() - 1000));
      assert.equal(await pgNonceStore(db.knex, { sweepChance: 1 }).rememberNonce('client-c', 'new', inTenMinutes()), true);
      const left = (await db.knex.raw(`select nonce from oauth1_nonces where client_id = 'client-c' order by nonce`)).rows.map((r: { nonce: string }) => r.nonce);
      assert.deepEqual(left, ['new']);
    });

    test('verifyOAuth1 with the store refuses a replayed request', async () => {
      const oauth = new OAuth({
        consumer: { key: 'sds', secret: 's3cret-value' },
        signature_method: 'HMAC-SHA256',
        hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
      });
      const url = `https://rollcall.example.org/ims/oneroster/v1p1/users?filter=${encodeURIComponent("status='active'")}`;
      const req = { method: 'GET', url, authorization: oauth.toHeader(oauth.authorize({ url, method: 'GET' })).Authorization };
      const deps = { lookupSecret: async (k: string) => (k === 'sds' ? 's3cret-value' : undefined), ...pgNonceStore(db.knex) };
      assert.deepEqual(await verifyOAuth1(req, deps), { ok: true, consumerKey: 'sds' });
      assert.deepEqual(await verifyOAuth1(req, deps), { ok: false, reason: 'oauth_nonce was already used: a replayed request, or a client that repeats nonces' });
    });
  });
}
