import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Knex } from 'knex';
import { listAdmins } from '../../src/auth/admins.js';
import { getClient } from '../../src/auth/clients.js';
import { verifySecret } from '../../src/auth/secrets.js';
import { findToken, issueToken } from '../../src/auth/tokens.js';
import { KeyRing, loadKeyRing } from '../../src/crypto/key-ring.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { rollcall, type Run } from '../helpers/cli.js';
import { FIXTURE_1P1 } from '../helpers/csv-package.js';
import { engines } from '../helpers/engines.js';

/**
 * The store a CLI run works on, and in-process access to it between runs: the embedded database in
 * a data folder of its own (opened only while no CLI run holds it), or a fresh Postgres database.
 */
type CliStore = { env: NodeJS.ProcessEnv; keyRing: () => KeyRing; withDb<T>(run: (knex: Knex) => Promise<T>): Promise<T>; close(): Promise<void> };

async function cliStore(engine: ReturnType<typeof engines>[number]): Promise<CliStore> {
  if (engine.name === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-clients-'));
    const dataDir = path.join(dir, 'data');
    return {
      env: { ROLLCALL_DATA_DIR: dataDir, DATABASE_URL: '', ROLLCALL_SECRET_KEY: '', LOG_LEVEL: 'warn' },
      // The embedded mode keeps its key in the data folder, as `serve` does.
      keyRing: () => loadKeyRing({ dataDir, embedded: true })!,
      withDb: async (run) => {
        const db = await openDatabase({ dataDir, command: 'test' });
        try {
          return await run(db.knex);
        } finally {
          await db.close();
        }
      },
      close: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const db: Database & { url?: string } = await engine.open();
  const key = KeyRing.generateKey();
  return {
    env: { DATABASE_URL: db.url, ROLLCALL_SECRET_KEY: key, LOG_LEVEL: 'warn' },
    keyRing: () => KeyRing.fromEnvValue(key),
    withDb: (run) => run(db.knex),
    close: () => db.close(),
  };
}

const SCOPE = (v: string, s: string) => `https://purl.imsglobal.org/spec/or/${v}/scope/${s}.readonly`;

for (const engine of engines()) {
  describe(`rollcall clients and admins (${engine.name})`, () => {
    let store: CliStore;
    const cli = (...args: string[]): Promise<Run> => rollcall(args, store.env);
    const ok = async (...args: string[]) => {
      const r = await cli(...args);
      assert.equal(r.code, 0, `rollcall ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
      return r;
    };
    const hashOf = (clientId: string) =>
      store.withDb(async (k) => (await k.raw('select secret_hash from api_clients where client_id = ?', [clientId])).rows[0].secret_hash as string);
    /** The client's sealed secret, opened with the key ring the CLI used. */
    const sealedOf = async (clientId: string) =>
      store.keyRing().open(await store.withDb(async (k) => (await k.raw('select secret_sealed from api_clients where client_id = ?', [clientId])).rows[0].secret_sealed));
    /** The client as stored (read in-process: one CLI run fewer). */
    const stored = (id: string) => store.withDb((k) => getClient(k, id));
    let clientId = '';
    let secret = '';

    before(async () => {
      store = await cliStore(engine);
    });
    after(async () => {
      await store.close();
    });

    test('a client for a tenant that does not exist is refused with a way forward', async () => {
      const r = await cli('clients', 'create', '--tenant', 'nowhere', '--name', 'Early');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^rollcall: tenant "nowhere" does not exist; import data into it first \(rollcall import <folder-or-zip> --tenant nowhere\)/);
      await ok('import', FIXTURE_1P1, '--tenant', 't1');
    });

    test('create prints the id and the secret once; the store keeps only a hash', async () => {
      const r = await ok('clients', 'create', '--tenant', 't1', '--name', 'Gradebook');
      const m = /client id +(\S+)\n +client secret +(\S+)\n/.exec(r.stdout);
      assert.ok(m, r.stdout);
      [, clientId, secret] = m;
      assert.match(clientId, /^rc_/);
      assert.match(r.stdout, /shown only now/);
      assert.equal(r.stdout.split(secret).length - 1, 1, 'the secret is printed exactly once');
      const hash = await hashOf(clientId);
      assert.ok(!hash.includes(secret));
      assert.ok(await verifySecret(secret, hash));
      assert.equal(await sealedOf(clientId), secret, 'sealed for OAuth 1.0a with the key ring serve uses');
    });

    test('scopes by short name expand to both versions; an unknown scope is refused', async () => {
      const r = await ok('clients', 'create', '--tenant', 't1', '--name', 'Core', '--scopes', 'core,demographics', '--client-id', 'core-app-01', '--json');
      const created = JSON.parse(r.stdout);
      assert.equal(created.clientId, 'core-app-01');
      assert.equal(typeof created.clientSecret, 'string');
      assert.deepEqual([...created.scopes].sort(), [
        SCOPE('v1p1', 'roster-core'), SCOPE('v1p1', 'roster-demographics'), SCOPE('v1p2', 'roster-core'), SCOPE('v1p2', 'roster-demographics'),
      ]);
      const bad = await cli('clients', 'create', '--tenant', 't1', '--name', 'Bad', '--scopes', 'core,everything');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^rollcall: invalid client: scopes\.2: unknown scope "everything": use core, roster, demographics or a OneRoster scope URI\n$/);
      const short = await cli('clients', 'create', '--tenant', 't1', '--name', 'Bad', '--client-secret', 'short');
      assert.equal(short.code, 1);
      assert.match(short.stderr, /client secret: at least 16 characters/);
    });

    test('list never shows secrets or hashes', async () => {
      const text = await ok('clients', 'list');
      const json = await ok('clients', 'list', '--tenant', 't1', '--json');
      for (const r of [text, json]) {
        assert.ok(r.stdout.includes(clientId));
        assert.ok(!r.stdout.includes(secret));
        assert.doesNotMatch(r.stdout, /scrypt\$|secret_?hash|clientSecret/i);
      }
      assert.match(text.stdout, new RegExp(`${clientId} +t1 +Gradebook +enabled +all +default`));
      assert.deepEqual(JSON.parse(json.stdout).map((c: { clientId: string }) => c.clientId).sort(), ['core-app-01', clientId].sort());
    });

    test('disable revokes the tokens; enable restores the client', async () => {
      const token = await store.withDb(async (k) => (await issueToken(k, 'oneroster', clientId, ['x'], 600)).accessToken);
      const r = await ok('clients', 'disable', clientId);
      assert.match(r.stdout, /Disabled API client .* its tokens are revoked/);
      assert.equal((await stored(clientId)).disabled, true);
      assert.equal(await store.withDb((k) => findToken(k, 'oneroster', token)), undefined);
      await ok('clients', 'enable', clientId);
      assert.equal((await stored(clientId)).disabled, false);
      const missing = await cli('clients', 'disable', 'rc_nobody');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no API client with id "rc_nobody"/);
    });

    test('rotate-secret: the old secret no longer verifies, the new one does', async () => {
      const r = await ok('clients', 'rotate-secret', clientId, '--json');
      const rotated = JSON.parse(r.stdout);
      assert.equal(rotated.clientId, clientId);
      assert.notEqual(rotated.clientSecret, secret);
      const hash = await hashOf(clientId);
      assert.equal(await verifySecret(secret, hash), false);
      assert.ok(await verifySecret(rotated.clientSecret, hash));
      assert.equal(await sealedOf(clientId), rotated.clientSecret);
    });

    test('share: an unknown school is refused by name; only the options given change', async () => {
      const bad = await cli('clients', 'share', clientId, '--schools', 'org-s1,org-nope');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /not schools of tenant "t1": org-nope/);

      await ok('clients', 'share', clientId, '--schools', 'org-s1,org-s2', '--demographics', 'off', '--mask', 'users.email', '--rate-limit', '30');
      const r = await ok('clients', 'share', clientId, '--guardians', 'off');
      assert.match(r.stdout, /schools +org-s1, org-s2/);
      const c = await stored(clientId);
      assert.deepEqual(c.sharing, { schools: ['org-s1', 'org-s2'], demographics: false, guardians: false, userFlags: true, maskedFields: ['users.email'] });
      assert.equal(c.rateLimitPerMinute, 30);

      await ok('clients', 'share', clientId, '--all-schools', '--no-rate-limit', '--mask', '');
      const d = await stored(clientId);
      assert.deepEqual(d.sharing, { schools: null, demographics: false, guardians: false, userFlags: true, maskedFields: [] });
      assert.equal(d.rateLimitPerMinute, null);

      const badMask = await cli('clients', 'share', clientId, '--mask', 'users.status');
      assert.equal(badMask.code, 1);
      assert.match(badMask.stderr, /invalid sharing: maskedFields\.0: a masked field is <entity>\.<field>/);
    });

    test('admins: create (secret shown once), list, disable', async () => {
      const created = JSON.parse((await ok('admins', 'create', '--name', 'District IT', '--tenant', 't1', '--json')).stdout);
      assert.match(created.adminId, /^adm_/);
      assert.equal(created.tenant, 't1');
      const hash = await store.withDb(async (k) => (await k.raw('select secret_hash from admins where admin_id = ?', [created.adminId])).rows[0].secret_hash);
      assert.ok(await verifySecret(created.secret, hash));
      const list = await ok('admins', 'list');
      assert.match(list.stdout, new RegExp(`${created.adminId} +District IT +t1 +enabled`));
      assert.ok(!list.stdout.includes(created.secret));
      await ok('admins', 'disable', created.adminId);
      const after = await store.withDb((k) => listAdmins(k));
      assert.equal(after.find((a) => a.adminId === created.adminId)?.disabled, true);
      const nowhere = await cli('admins', 'create', '--name', 'X', '--tenant', 'nowhere');
      assert.equal(nowhere.code, 1);
      assert.match(nowhere.stderr, /tenant "nowhere" does not exist/);
    });
  });
}
