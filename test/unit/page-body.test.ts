import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collectionBody } from '../../src/api/render/page-body.js';

/** Records as the database renders them: JSON text, some of it outside ASCII. */
const records = [
  { sourcedId: 'u-1', givenName: 'José', familyName: 'Núñez' },
  { sourcedId: 'u-2', givenName: 'Zoë', familyName: '李' },
  { sourcedId: 'u-3', givenName: 'Ana 🎓', familyName: 'Smith' },
  { sourcedId: 'u-4', givenName: 'Plain', familyName: 'Ascii' },
];
const rows = records.map((r) => ({ json: JSON.stringify(r) }));

describe('a collection body', () => {
  test('is the UTF-8 of the records in their envelope, in order', () => {
    const body = collectionBody('users', rows);
    assert.deepEqual(JSON.parse(body.toString('utf8')), { users: records });
    assert.ok(body.equals(Buffer.from(`{"users":[${rows.map((r) => r.json).join(',')}]}`, 'utf8')));
  });

  test('carries the 1.1 warnings after the records', () => {
    const warnings = [{ imsx_codeMajor: 'success', imsx_severity: 'warning', imsx_description: 'Unknown field: wizard' }];
    assert.deepEqual(JSON.parse(collectionBody('users', rows.slice(0, 1), warnings).toString('utf8')), { users: records.slice(0, 1), statusInfoSet: warnings });
  });

  test('with no records is an empty list', () => {
    assert.deepEqual(JSON.parse(collectionBody('enrollments', []).toString('utf8')), { enrollments: [] });
  });
});
