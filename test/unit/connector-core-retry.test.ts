import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffCeiling, backoffDelay } from '../../src/ingest/connectors/core/backoff.js';
import { RetryPolicySchema, parseHttpConfig } from '../../src/ingest/connectors/core/config.js';
import { findRule } from '../../src/ingest/connectors/core/error-rules.js';
import type { AttemptFailure, FailureFacts } from '../../src/ingest/connectors/core/failure.js';
import { errorCode, isRetryableNetworkCode, transportReason } from '../../src/ingest/connectors/core/network-errors.js';
import { google } from '../../src/ingest/connectors/core/profiles/google.js';
import { decideRetry, isTransientStatus, type RetryContext } from '../../src/ingest/connectors/core/retry-decision.js';
import { RETRY_AFTER, parseWaitHeader, serverWaitHint } from '../../src/ingest/connectors/core/wait-hints.js';
import { seededRandom } from '../simulators/faults/fake-clock.js';

const NOW = Date.UTC(2025, 0, 6, 8, 0, 0);
const policy = RetryPolicySchema.parse({}); // 3 attempts, base 1 s, max 30 s, max wait 60 s
const ctx = (over: Partial<RetryContext> = {}): RetryContext => ({ attempt: 1, policy, waitHeaders: [RETRY_AFTER], now: NOW, random: () => 0.5, ...over });
const status = (s: number, headers?: Record<string, string>): AttemptFailure => ({ reason: 'status', status: s, headers });

describe('which failures are retried', () => {
  test('408, 425, 429 and 5xx are transient; 501, 505 and every other 4xx are not', () => {
    for (const s of [408, 425, 429, 500, 502, 503, 504, 507, 599]) assert.equal(isTransientStatus(s), true, String(s));
    for (const s of [400, 401, 402, 403, 404, 405, 409, 410, 413, 422, 451, 501, 505]) assert.equal(isTransientStatus(s), false, String(s));
  });

  test('a transient failure is retried while attempts remain, then given up as retryable', () => {
    assert.deepEqual([1, 2, 3].map((attempt) => decideRetry(status(503), ctx({ attempt })).retry), [true, true, false]);
    const last = decideRetry(status(503), ctx({ attempt: 3 }));
    assert.equal(last.retryable, true);
    assert.equal(last.reason, 'status_503');
  });

  test('a permanent failure is never retried, even on the first attempt', () => {
    for (const s of [400, 401, 403, 404, 422]) {
      const d = decideRetry(status(s), ctx());
      assert.deepEqual([d.retry, d.retryable], [false, false], String(s));
    }
  });

  test('network failures, timeouts and broken bodies are transient; TLS failures are not', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']) {
      assert.equal(decideRetry({ reason: 'network', networkCode: code }, ctx()).retry, true, code);
    }
    assert.equal(decideRetry({ reason: 'network', networkCode: 'ERR_INVALID_URL' }, ctx()).retry, false);
    for (const reason of ['timeout', 'truncated', 'invalid_json'] as const) assert.equal(decideRetry({ reason }, ctx()).retry, true, reason);
    assert.equal(decideRetry({ reason: 'tls', networkCode: 'CERT_HAS_EXPIRED' }, ctx()).retryable, false);
  });

  test('a vendor rule can make a 4xx transient: Google signals quota with 403 userRateLimitExceeded', () => {
    const f: FailureFacts = { reason: 'status', status: 403, vendorCode: 'userRateLimitExceeded', vendorName: 'Google', host: 'h', path: '/p', attempts: 1, timeoutMs: 1000 };
    const rule = findRule(f, google.errorRules);
    assert.equal(rule.id, 'google-quota');
    assert.equal(decideRetry(status(403), ctx({ ruleRetryable: rule.retryable })).retry, true);
    const forbidden = findRule({ ...f, vendorCode: 'forbidden' }, google.errorRules);
    assert.equal(decideRetry(status(403), ctx({ ruleRetryable: forbidden.retryable })).retry, false);
  });

  test('network error codes are found through cause chains and messages', () => {
    assert.equal(errorCode(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })), 'ECONNRESET');
    assert.equal(errorCode(new Error('socket hang up')), 'ECONNRESET');
    assert.equal(errorCode(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })), 'UND_ERR_SOCKET');
    assert.equal(transportReason('UND_ERR_BODY_TIMEOUT'), 'timeout');
    assert.equal(transportReason('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'truncated');
    assert.equal(transportReason('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls');
    assert.equal(isRetryableNetworkCode(undefined), false);
  });
});

describe('how long to wait', () => {
  test('the backoff ceiling doubles per retry up to the maximum', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((r) => backoffCeiling(r, policy)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  test('full jitter: every wait lies in [0, ceiling), spread across it, and the spread grows', () => {
    const random = seededRandom(42);
    for (let retry = 1; retry <= 6; retry++) {
      const waits = Array.from({ length: 400 }, () => backoffDelay(retry, policy, random));
      const ceiling = backoffCeiling(retry, policy);
      assert.ok(waits.every((w) => Number.isInteger(w) && w >= 0 && w < ceiling), `retry ${retry} within [0, ${ceiling})`);
      assert.ok(Math.min(...waits) < ceiling * 0.1 && Math.max(...waits) > ceiling * 0.9, `retry ${retry} is jittered across the range`);
      const mean = waits.reduce((a, b) => a + b, 0) / waits.length;
      assert.ok(Math.abs(mean - ceiling / 2) < ceiling * 0.1, `retry ${retry} mean ≈ ceiling/2`);
    }
  });

  test('waits between attempts grow with the attempt number', () => {
    const waits = [1, 2].map((attempt) => decideRetry(status(500), ctx({ attempt, random: () => 0.99 })).waitMs);
    assert.deepEqual(waits, [990, 1980]);
  });

  test('Retry-After in seconds and as an HTTP-date are honoured', () => {
    const seconds = decideRetry(status(429, { 'retry-after': '7' }), ctx({ random: () => 0 }));
    assert.deepEqual([seconds.waitMs, seconds.waitSource, seconds.pauseConnection], [7000, 'header:retry-after', true]);
    const date = decideRetry(status(503, { 'retry-after': new Date(NOW + 12_000).toUTCString() }), ctx({ random: () => 0 }));
    assert.deepEqual([date.waitMs, date.waitSource], [12_000, 'header:retry-after']);
  });

  test('a server hint shorter than the backoff does not shorten the backoff', () => {
    const d = decideRetry(status(503, { 'retry-after': '0' }), ctx({ attempt: 2, random: () => 0.5 }));
    assert.deepEqual([d.waitMs, d.waitSource], [1000, 'backoff']);
  });

  test('server waits are capped by maxWaitMs', () => {
    const d = decideRetry(status(429, { 'retry-after': '3600' }), ctx());
    assert.equal(d.waitMs, 60_000);
    assert.match(d.reason, /wait_capped/);
    const tight = decideRetry(status(429, { 'retry-after': '30' }), ctx({ policy: { ...policy, maxWaitMs: 5000 } }));
    assert.equal(tight.waitMs, 5000);
  });

  test('Retry-After forms: delay-seconds, HTTP-date, past dates, garbage', () => {
    assert.equal(parseWaitHeader('120', 'retry-after', NOW), 120_000);
    assert.equal(parseWaitHeader('1.5', 'retry-after', NOW), 1500);
    assert.equal(parseWaitHeader('Mon, 06 Jan 2025 08:00:30 GMT', 'retry-after', NOW), 30_000);
    assert.equal(parseWaitHeader('Mon, 06 Jan 2025 07:00:00 GMT', 'retry-after', NOW), 0);
    assert.equal(parseWaitHeader('soon', 'retry-after', NOW), undefined);
    assert.equal(parseWaitHeader('', 'retry-after', NOW), undefined);
    assert.equal(parseWaitHeader('Mon, 06 Jan 2025 08:00:30 GMT', 'delta-seconds', NOW), undefined);
  });

  test("vendor variants: Clever's X-RateLimit-Reset as Unix seconds or milliseconds; the longest hint wins", () => {
    assert.equal(parseWaitHeader(String(NOW / 1000 + 42), 'epoch', NOW), 42_000);
    assert.equal(parseWaitHeader(String(NOW + 1500), 'epoch', NOW), 1500);
    const specs = [RETRY_AFTER, { name: 'x-ratelimit-reset', form: 'epoch' as const }];
    assert.deepEqual(serverWaitHint({ 'retry-after': '5', 'x-ratelimit-reset': String(NOW / 1000 + 20) }, specs, NOW), { waitMs: 20_000, header: 'x-ratelimit-reset' });
    assert.deepEqual(serverWaitHint({ 'retry-after': '25', 'x-ratelimit-reset': String(NOW / 1000 + 20) }, specs, NOW), { waitMs: 25_000, header: 'retry-after' });
    assert.equal(serverWaitHint({}, specs, NOW), undefined);
  });
});

describe('settings', () => {
  test('defaults, and bad values refused with a message naming the field', () => {
    const c = parseHttpConfig({});
    assert.deepEqual(c.retry, { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000, maxWaitMs: 60_000 });
    assert.equal(c.timeoutMs, 30_000);
    assert.throws(() => parseHttpConfig({ retry: { maxAttempts: 0 } }), /retry\.maxAttempts/);
    assert.throws(() => parseHttpConfig({ budget: { requests: 10, burst: 20 } }), /budget\.burst/);
    assert.throws(() => parseHttpConfig({ retries: 3 }), /invalid connection reliability settings/);
  });
});
