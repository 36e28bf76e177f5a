import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectorError } from '../../src/ingest/connectors/core/connector-error.js';
import { findRule } from '../../src/ingest/connectors/core/error-rules.js';
import type { FailureFacts } from '../../src/ingest/connectors/core/failure.js';
import { extendProfile } from '../../src/ingest/connectors/core/profile.js';
import { aeries } from '../../src/ingest/connectors/core/profiles/aeries.js';
import { clever } from '../../src/ingest/connectors/core/profiles/clever.js';
import { google } from '../../src/ingest/connectors/core/profiles/google.js';
import { graph } from '../../src/ingest/connectors/core/profiles/graph.js';
import { oneroster } from '../../src/ingest/connectors/core/profiles/oneroster.js';
import { extractVendorError } from '../../src/ingest/connectors/core/vendor-error-body.js';

describe('vendor error bodies', () => {
  test('each known shape gives its code and message', () => {
    const cases: [string, { code?: string; message?: string }][] = [
      ['{"error":"unauthorized_client","error_description":"Client is unauthorized to retrieve access tokens using this method."}', { code: 'unauthorized_client', message: 'Client is unauthorized to retrieve access tokens using this method.' }],
      ['{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{}}}', { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' }],
      ['{"error":{"code":403,"message":"Quota exceeded","errors":[{"message":"Quota exceeded","domain":"usageLimits","reason":"userRateLimitExceeded"}]}}', { code: 'userRateLimitExceeded', message: 'Quota exceeded' }],
      ['{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}', { code: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' }],
      ['{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_description":"Unknown object","imsx_CodeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldName":"TargetEndSystem","imsx_codeMinorFieldValue":"unknownobject"}]}}', { code: 'unknownobject', message: 'Unknown object' }],
      ['{"imsx_codeMajor":"failure","imsx_description":"bad filter","imsx_codeMinor":{"imsx_codeMinorField":{"imsx_codeMinorFieldValue":"invalid_filter_field"}}}', { code: 'invalid_filter_field', message: 'bad filter' }],
      ['{"message":"Resource not found"}', { code: undefined, message: 'Resource not found' }],
      ['{"message":"Validation","errors":[{"resource":"student","field":"id","code":"missing"}]}', { code: 'missing', message: 'Validation' }],
      ['{"Message":"Course ID is required."}', { code: undefined, message: 'Course ID is required.' }],
      ['<html><head><title>401 Unauthorized</title></head><body>nope</body></html>', { code: undefined, message: '401 Unauthorized' }],
      ['No Campus Application selected', { code: undefined, message: 'No Campus Application selected' }],
      ['', { code: undefined, message: undefined }],
    ];
    for (const [body, want] of cases) assert.deepEqual(extractVendorError(body), want, body);
  });

  test('the WWW-Authenticate challenge gives a code when the body has none', () => {
    assert.deepEqual(extractVendorError('', { 'www-authenticate': 'Bearer error="invalid_token", error_description="expired"' }), { code: 'invalid_token', message: undefined });
  });

  test('long messages are clipped', () => {
    assert.ok(extractVendorError(JSON.stringify({ message: 'x'.repeat(5000) })).message!.length <= 301);
  });
});

const facts = (over: Partial<FailureFacts>): FailureFacts => ({ reason: 'status', vendorName: 'Vendor', host: 'sis.example.org', path: '/api/v5/students', attempts: 1, timeoutMs: 30_000, ...over });
const message = (f: FailureFacts, rules = aeries.errorRules) => findRule(f, rules).admin(f);

describe('admin messages', () => {
  test('the examples of the issue, word for word', () => {
    assert.equal(message(facts({ status: 403, vendorName: 'Aeries', entity: 'students' })), '403 from Aeries: the API key lacks permission for students (check the Aeries security settings)');
    assert.match(
      message(facts({ status: 401, vendorName: 'Google', vendorCode: 'unauthorized_client', vendorMessage: 'Client is unauthorized to retrieve access tokens using this method' }), google.errorRules),
      /^401 unauthorized_client from Google: domain-wide delegation is not authorised in the Google Admin console \(/,
    );
  });

  test('generic fallbacks for every vendor: 401, 403, 404, 429, 5xx, 4xx, network, timeout, broken bodies', () => {
    const g = (over: Partial<FailureFacts>) => message(facts(over), []);
    assert.match(g({ status: 401 }), /^401 from Vendor: the credentials were refused .*check the client id/);
    assert.match(g({ status: 403, entity: 'sections' }), /^403 from Vendor: .*lack permission for sections/);
    assert.match(g({ status: 404 }), /^404 from Vendor: \/api\/v5\/students was not found on sis\.example\.org \(check the base URL/);
    assert.match(g({ status: 429, attempts: 3 }), /^429 from Vendor: still rate limited after 3 attempts \(lower this connection's request budget/);
    assert.match(g({ status: 503, attempts: 3 }), /^503 from Vendor: the server failed after 3 attempts \(a problem on Vendor's side/);
    assert.match(g({ status: 501 }), /not implemented/);
    assert.match(g({ status: 422, vendorMessage: 'limit too large' }), /^422 from Vendor: the request for .* was refused \(Vendor said: "limit too large"\)/);
    assert.match(g({ reason: 'network', networkCode: 'ENOTFOUND', attempts: 3 }), /could not resolve the host name sis\.example\.org after 3 attempts \(check the server address/);
    assert.match(g({ reason: 'network', networkCode: 'ECONNREFUSED' }), /refused the connection/);
    assert.match(g({ reason: 'network', networkCode: 'ECONNRESET', attempts: 3 }), /connection to Vendor .* failed after 3 attempts \(ECONNRESET\)/);
    assert.match(g({ reason: 'timeout', attempts: 3 }), /did not answer within 30 s after 3 attempts/);
    assert.match(g({ reason: 'truncated', entity: 'users' }), /broke off its answer for users/);
    assert.match(g({ reason: 'invalid_json' }), /not valid JSON/);
    assert.match(g({ reason: 'tls', networkCode: 'CERT_HAS_EXPIRED' }), /TLS certificate of sis\.example\.org was refused \(CERT_HAS_EXPIRED\)/);
  });

  test('vendor tables: Clever, Graph, OneRoster', () => {
    assert.match(message(facts({ status: 404, vendorName: 'Clever', entity: 'sections' }), clever.errorRules), /sections is not shared with this application/);
    assert.match(message(facts({ status: 401, vendorName: 'Microsoft', vendorCode: 'invalid_client', vendorMessage: 'AADSTS7000215: Invalid client secret provided.' }), graph.errorRules), /client secret is wrong \(use the secret's Value, not its Secret ID/);
    assert.match(message(facts({ status: 400, vendorName: 'IC', vendorMessage: 'No Campus Application selected' }), oneroster.errorRules), /appName/);
    assert.match(message(facts({ status: 403, vendorName: 'IC', entity: 'demographics' }), oneroster.errorRules), /scopes do not cover demographics/);
  });

  test('a connector extends a profile: its rules come first, the profile and generic rules still apply', () => {
    const mine = extendProfile(aeries, { errorRules: [{ id: 'mine', when: { status: 403, message: /DatabaseYear/ }, category: 'rejected', admin: () => 'the DatabaseYear setting is not available' }] });
    assert.equal(findRule(facts({ status: 403, vendorMessage: 'DatabaseYear 2019 unavailable' }), mine.errorRules).id, 'mine');
    assert.equal(findRule(facts({ status: 403 }), mine.errorRules).id, 'aeries-403');
    assert.equal(findRule(facts({ status: 503 }), mine.errorRules).id, '5xx');
  });

  test('ConnectorError: kind by category, JSON shape, context added later', () => {
    const e = new ConnectorError({ connection: 'c1', vendor: 'aeries', entity: 'students', status: 403, attempts: 1, retryable: false, category: 'permission', adminMessage: 'no', technical: { url: 'https://x/y' } });
    assert.equal(e.kind, 'forbidden');
    assert.equal(e.message, 'no');
    assert.deepEqual(Object.keys(e.toJSON()).sort(), ['adminMessage', 'attempts', 'category', 'connection', 'entity', 'name', 'retryable', 'status', 'technical', 'vendor']);
    const paged = e.withContext({ page: 3 });
    assert.deepEqual([paged.technical.context, paged.entity, paged instanceof ConnectorError], [{ page: 3 }, 'students', true]);
  });
});
