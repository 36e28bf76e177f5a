import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEMPLATES, fromTemplate } from '../../src/ingest/connections/templates.js';
import { registerShippedConnectors } from '../../src/ingest/connectors/all.js';
import { connectorFor } from '../../src/ingest/connectors/registry.js';

test('every provider template, filled in, gives settings its connector accepts', () => {
  registerShippedConnectors();
  for (const t of TEMPLATES) {
    const { provider, config } = fromTemplate(t.id, { host: 'sis.district.org', appName: 'district' }, t.provider === 'oneroster-csv' ? { username: 'rollcall' } : {});
    const parsed = connectorFor(provider).configSchema.safeParse(config);
    assert.ok(parsed.success, `${t.id}: ${JSON.stringify(parsed.error?.issues)}`);
    assert.ok(!JSON.stringify(config).includes('{host}'), t.id);
  }
  const ic = fromTemplate('infinite-campus-1p2', { host: 'ic.example.org', appName: 'springfield' }, {});
  assert.equal(ic.config.baseUrl, 'https://ic.example.org/campus/api/oneroster/v1p2/springfield');
  assert.deepEqual(ic.config.tokenParams, { appName: 'springfield' });
  assert.throws(() => fromTemplate('infinite-campus-1p2', { host: 'ic.example.org' }, {}), /--app-name/);
  assert.throws(() => fromTemplate('nope', {}, {}), /Unknown template/);
});
