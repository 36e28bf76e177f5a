import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { usersCsv } from '../../src/ingest/csv/files/users.js';
import { RowReader } from '../../src/ingest/csv/row-reader.js';
import { ENROLLMENT_ROLES } from '../../src/model/vocab.js';

/** A reader over one row of a file whose header is `columns`. */
function readerOf(columns: string[], cells: string[]): RowReader {
  const r = new RowReader('test.csv', new Map(columns.map((c, i) => [c, i])));
  r.reset(cells, 2);
  return r;
}

const one = (field: string, cell: string) => readerOf([field], [cell]);
const problemsOf = (r: RowReader) => r.problems.map((p) => `${p.field}=${p.value}: ${p.message}`);

describe('reading cells', () => {
  test('a vocabulary value in any case comes back in the vocabulary spelling; others are problems', () => {
    for (const cell of ['teacher', 'Teacher', ' TEACHER ']) assert.equal(one('role', cell).oneOf('role', ENROLLMENT_ROLES), 'teacher', cell);
    const wizard = one('role', 'wizard');
    assert.equal(wizard.oneOf('role', ENROLLMENT_ROLES), undefined);
    assert.deepEqual(problemsOf(wizard), ['role=wizard: must be one of administrator, proctor, student, teacher']);
    assert.equal(one('role', 'ext:coach').oneOf('role', ENROLLMENT_ROLES, false, true), 'ext:coach');
    const notExt = one('role', 'ext:coach');
    assert.equal(notExt.oneOf('role', ENROLLMENT_ROLES), undefined, 'ext: values only where the version allows them');
    assert.equal(notExt.problems.length, 1);
  });

  test('a list cell: one item, several with blanks and spaces, or nothing but commas', () => {
    assert.deepEqual(one('grades', ' 09 ').list('grades'), ['09']);
    assert.deepEqual(one('grades', '09, 10,,11 ,').list('grades'), ['09', '10', '11']);
    const commas = one('orgSourcedIds', ' , ,');
    assert.equal(commas.list('orgSourcedIds', true), undefined);
    assert.deepEqual(problemsOf(commas), ['orgSourcedIds=, ,: is required']);
  });

  test('userIds: one {type:identifier} item or several, trimmed; a blank identifier or a bare word is a problem', () => {
    assert.deepEqual(one('userIds', '{SIS:1000001}').userIds('userIds'), [{ type: 'SIS', identifier: '1000001' }]);
    assert.deepEqual(one('userIds', '{ SIS : 1000001 }').userIds('userIds'), [{ type: 'SIS', identifier: '1000001' }]);
    assert.deepEqual(one('userIds', '{SIS:1},{LDAP:jsmith}').userIds('userIds'), [
      { type: 'SIS', identifier: '1' },
      { type: 'LDAP', identifier: 'jsmith' },
    ]);
    for (const cell of ['{SIS: }', '{SIS:}', 'jsmith', '{SIS:1},jsmith']) {
      const r = one('userIds', cell);
      assert.equal(r.userIds('userIds'), undefined, cell);
      assert.deepEqual(problemsOf(r), [`userIds=${cell.trim()}: must be a list of {type:identifier} items`], cell);
    }
  });
});

describe('a users row as a canonical record', () => {
  // The record's JSON is what its content hash is taken of: the same row must give the same text
  // from one release to the next, or every user would look changed on the next import.
  const columns = usersCsv.columns['1.1']!.all;
  const cells: Record<string, string> = {
    sourcedId: 'u1', status: 'active', enabledUser: 'true', orgSourcedIds: 'sch1,sch2', role: 'administrator', username: 'ada',
    userIds: '{SIS:42}', givenName: 'Ada', familyName: 'Lovelace', middleName: 'B', identifier: '42', email: 'ada@example.org',
    agentSourcedIds: 'g1', grades: '09',
  };
  /** The shared fields' JSON, first in both versions' records. */
  const SHARED =
    '{"username":"ada","userIds":[{"type":"SIS","identifier":"42"}],"enabledUser":true,"givenName":"Ada","familyName":"Lovelace",' +
    '"middleName":"B","identifier":"42","email":"ada@example.org","agents":[{"sourcedId":"g1","type":"user"}],"grades":["09"],';
  const ctx = (version: '1.1' | '1.2') => ({
    version,
    orgTypes: new Map([['sch1', 'school'], ['sch2', 'district']]),
    rolesByUser: new Map([['u1', [{ roleType: 'primary', role: 'teacher', org: { sourcedId: 'sch1', type: 'org' } }]]]),
    profilesByUser: new Map(),
  });

  test('1.1: the shared fields in order, then roles and primaryOrg', () => {
    const r = readerOf(columns, columns.map((c) => cells[c] ?? ''));
    assert.equal(
      JSON.stringify(usersCsv.map(r, ctx('1.1'))),
      SHARED +
        '"roles":[{"roleType":"primary","role":"siteAdministrator","org":{"sourcedId":"sch1","type":"org"}},' +
        '{"roleType":"primary","role":"districtAdministrator","org":{"sourcedId":"sch2","type":"org"}}],"primaryOrg":{"sourcedId":"sch1","type":"org"}}',
    );
    assert.deepEqual(r.problems, []);
  });

  test('1.2: the shared fields in order, then the 1.2 fields, roles and primaryOrg', () => {
    const columns12 = usersCsv.columns['1.2']!.all;
    const r = readerOf(columns12, columns12.map((c) => ({ ...cells, preferredGivenName: 'Addie', pronouns: 'she/her', primaryOrgSourcedId: 'sch1' })[c] ?? ''));
    assert.equal(
      JSON.stringify(usersCsv.map(r, ctx('1.2'))),
      SHARED +
        '"preferredFirstName":"Addie","pronouns":"she/her","roles":[{"roleType":"primary","role":"teacher","org":{"sourcedId":"sch1","type":"org"}}],' +
        '"primaryOrg":{"sourcedId":"sch1","type":"org"}}',
    );
    assert.deepEqual(r.problems, []);
  });
});
