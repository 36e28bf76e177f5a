import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectorError } from '../../src/ingest/connectors/core/connector-error.js';
import { REDACTED, Redactor, isSecretName, redactHeaders, redactText, redactUrl } from '../../src/ingest/connectors/core/redact.js';

const TOKEN = 'ya29.c.b0AaSecretTokenValue123';
const SECRET = 'p@ss w0rd/with+chars';

test('secret-looking names, and the paging tokens that are not secrets', () => {
  for (const n of ['client_secret', 'password', 'access_token', 'refresh_token', 'api_key', 'apiKey', 'x-api-key', 'Authorization', 'AERIES-CERT', 'oauth_signature', 'assertion', 'Cookie', 'private_key']) {
    assert.equal(isSecretName(n), true, n);
  }
  for (const n of ['limit', 'offset', 'pageToken', 'nextPageToken', '$skiptoken', '$deltatoken', 'token_type', 'expires_in', 'starting_after', 'filter']) {
    assert.equal(isSecretName(n), false, n);
  }
});

test('URLs lose user info and secret query values, and keep the rest', () => {
  const u = redactUrl(`https://admin:${encodeURIComponent(SECRET)}@sis.example.org/api/users?limit=5&client_secret=${encodeURIComponent(SECRET)}&access_token=${TOKEN}&pageToken=abc`);
  assert.ok(!u.includes(TOKEN) && !u.includes(encodeURIComponent(SECRET)) && !u.includes('admin'), u);
  assert.match(u, /limit=5/);
  assert.match(u, /pageToken=abc/);
  assert.match(u, /client_secret=\[redacted\]/);
});

test('headers: secret-named ones replaced whole', () => {
  assert.deepEqual(redactHeaders({ authorization: `Bearer ${TOKEN}`, 'aeries-cert': 'abc123', accept: 'application/json' }), { authorization: REDACTED, 'aeries-cert': REDACTED, accept: 'application/json' });
});

test('free text: bearer and basic credentials, JSON fields, form fields, header lines, OAuth 1 parameters', () => {
  const cases = [
    `request had Authorization: Bearer ${TOKEN}`,
    `sent "Basic ${Buffer.from(`id:${SECRET}`).toString('base64')}"`,
    `{"access_token":"${TOKEN}","token_type":"Bearer","expires_in":3599}`,
    `grant_type=client_credentials&client_secret=${encodeURIComponent(SECRET)}&scope=x`,
    `Authorization: Bearer ${TOKEN}\nAccept: application/json`,
    `OAuth oauth_consumer_key="key", oauth_signature="${encodeURIComponent('nHeyKq1cdtoe/QilbUqly=')}"`,
    `{"error":{"message":"bad","password":"${SECRET}"}}`,
  ];
  for (const text of cases) {
    const out = redactText(text);
    assert.ok(!out.includes(TOKEN) && !out.includes(SECRET) && !out.includes(encodeURIComponent(SECRET)) && !out.includes('nHeyKq1cdtoe'), out);
    assert.ok(out.includes(REDACTED), out);
  }
  assert.equal(redactText('{"error":"invalid_token","error_description":"Access token is empty."}'), '{"error":"invalid_token","error_description":"Access token is empty."}');
});

test("a connection's own secret values are removed wherever they appear, even in plain prose", () => {
  const r = new Redactor(() => [SECRET, TOKEN]);
  const out = r.text(`the server said: your key ${TOKEN} and ${encodeURIComponent(SECRET)} are odd`);
  assert.ok(!out.includes(TOKEN) && !out.includes(encodeURIComponent(SECRET)));
  assert.deepEqual(r.value({ nested: [{ note: `x ${TOKEN}` }], client_secret: 'other' }), { nested: [{ note: `x ${REDACTED}` }], client_secret: REDACTED });
});

test('a ConnectorError redacts its message and technical detail on the way in', () => {
  const e = new ConnectorError({
    connection: 'c1', vendor: 'clever', attempts: 1, retryable: false, category: 'auth',
    adminMessage: `refused Bearer ${TOKEN}`,
    technical: { url: `https://x/y?client_secret=${SECRET}`, body: `{"access_token":"${TOKEN}"}` },
  });
  const all = JSON.stringify(e) + String(e) + e.stack + JSON.stringify(e.details);
  assert.ok(!all.includes(TOKEN) && !all.includes(SECRET), all);
});
