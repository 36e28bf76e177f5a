import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectorError } from '../../src/ingest/connectors/core/connector-error.js';
import { RunRecorder, deriveRunStatus, type EntityOutcome } from '../../src/ingest/connectors/core/outcome.js';
import { FakeClock } from '../simulators/faults/fake-clock.js';

const e = (status: EntityOutcome['status'], rejected = 0) => ({ status, counts: { fetched: 10, rejected } });

describe('run status from entity outcomes', () => {
  test('the table', () => {
    const cases: [ReturnType<typeof e>[], string][] = [
      [[e('complete'), e('complete')], 'success'],
      [[e('complete'), e('skipped')], 'success'],
      [[e('complete'), e('failed')], 'partial'], // users pulled but groups failed
      [[e('complete'), e('failed'), e('skipped')], 'partial'],
      [[e('failed'), e('failed')], 'failed'],
      [[e('failed'), e('skipped')], 'failed'],
      [[e('complete', 3), e('complete')], 'partial'], // some records rejected
      [[e('skipped')], 'success'],
      [[], 'success'],
    ];
    for (const [entities, want] of cases) assert.equal(deriveRunStatus(entities), want, JSON.stringify(entities.map((x) => x.status)));
  });
});

describe('RunRecorder', () => {
  test('records complete, failed and skipped entities and goes on after a failure', async () => {
    const clock = new FakeClock();
    const run = new RunRecorder({ connection: 'c1', vendor: 'google' }, clock);
    const users = await run.entity('users', async (t) => {
      t.fetched(250);
      t.rejected({ id: 'u9', message: 'no primaryEmail' });
    });
    const groups = await run.entity('groups', async () => {
      throw new ConnectorError({ connection: 'c1', vendor: 'google', entity: 'groups', status: 403, attempts: 1, retryable: false, category: 'permission', adminMessage: '403 from Google: …', technical: {} });
    });
    if (!groups) run.skip('members', 'groups failed');
    const outcome = run.finish();
    assert.deepEqual([users, groups], [true, false]);
    assert.equal(outcome.status, 'partial');
    assert.deepEqual(outcome.entities.map((x) => [x.entity, x.status]), [['users', 'complete'], ['groups', 'failed'], ['members', 'skipped']]);
    assert.deepEqual(outcome.entities[0].counts, { fetched: 250, rejected: 1 });
    assert.equal(outcome.entities[1].errors[0].status, 403);
    assert.equal(outcome.entities[2].reason, 'groups failed');
    assert.equal(outcome.startedAt, '2025-01-06T08:00:00.000Z');
    JSON.parse(JSON.stringify(outcome)); // storable as it is
  });

  test('an unexpected exception fails the entity as an internal error, redacted', async () => {
    const run = new RunRecorder({ connection: 'c1', vendor: 'clever' });
    await run.entity('sections', async () => {
      throw new TypeError('cannot read name of undefined; client_secret=hunter2hunter2');
    });
    const [s] = run.finish().entities;
    assert.equal(s.status, 'failed');
    assert.equal(s.errors[0].category, 'internal');
    assert.ok(!JSON.stringify(s).includes('hunter2hunter2'));
  });
});
