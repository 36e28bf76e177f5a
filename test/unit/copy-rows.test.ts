import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyField, copyJson, copyTextArray } from '../../src/store/copy-rows.js';

/** The array literal written out in full: every element quoted and escaped, then the whole escaped as a COPY field. */
const spelledOut = (items: string[]) => copyField(`{${items.map((s) => `"${s.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`);

const IDS = ['org-1', 'a,b', '{x}', ' spaced ', '', 'ü-ß-中', 'q"uote', 'back\\slash', 'tab\there', 'line\nbreak', 'cr\rhere', 'NULL'];

test('a text[] field is the same whether or not its ids need escaping', () => {
  const cases: string[][] = [[], ...IDS.map((id) => [id]), IDS, ['org-1', 'org-2', 'org-3'], ['plain', 'q"uote']];
  for (const items of cases) assert.equal(copyTextArray(items), spelledOut(items), JSON.stringify(items));
  assert.equal(copyTextArray(['org-1', 'org-2']), '{"org-1","org-2"}');
});

test('JSON text is escaped for COPY exactly as any other field', () => {
  const values = [{ a: 'plain' }, { a: 'back\\slash' }, { a: 'tab\there', b: 'line\nbreak\r' }, { a: '\u0001\u001f' }, { a: 'q"uote', b: ['{', '}'] }, { a: 'ü-中' }];
  for (const v of values) {
    const json = JSON.stringify(v);
    assert.equal(copyJson(json), copyField(json), json);
  }
});
