import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FILTER_LIMITS, FilterSyntaxError, type Comparison, type FilterExpr, type Predicate } from '../../src/query/ast.js';
import { parseFilter } from '../../src/query/parse-filter.js';

const cmp = (field: string, op: Predicate, value: string, position: number): Comparison => ({ kind: 'comparison', field, op, value, position });
const and = (...terms: FilterExpr[]): FilterExpr => ({ kind: 'and', terms });
const or = (...terms: FilterExpr[]): FilterExpr => ({ kind: 'or', terms });

/** The filter's tree as a compact string, e.g. `or(and(a=1, b=2), c=3)`, to check shape without positions. */
function shape(expr: FilterExpr): string {
  if (expr.kind === 'comparison') return `${expr.field}${expr.op}${expr.value}`;
  return `${expr.kind}(${expr.terms.map(shape).join(', ')})`;
}

/** The FilterSyntaxError that parsing `input` throws (fails the test if it parses or throws something else). */
function syntaxError(input: string): FilterSyntaxError {
  try {
    parseFilter(input);
  } catch (error) {
    assert.ok(error instanceof FilterSyntaxError, `expected a FilterSyntaxError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(input)} not to parse`);
}

function assertError(input: string, position: number, expected: string): FilterSyntaxError {
  const error = syntaxError(input);
  assert.equal(error.position, position, error.message);
  assert.equal(error.expected, expected, error.message);
  assert.match(error.message, new RegExp(`^Filter error at character ${position + 1}: `));
  return error;
}

const FIELD = 'a field name';
const PREDICATE = 'a predicate (=, !=, >, >=, <, <=, ~)';
const VALUE = 'a quoted value';
const CONNECTOR_OR_END = 'AND, OR or the end of the filter';

describe('parseFilter: comparisons', () => {
  test('every predicate', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=', '~'] as const) {
      assert.deepEqual(parseFilter(`score${op}'5'`), cmp('score', op, '5', 0), op);
    }
  });

  test('spaced and unspaced forms give the same comparison', () => {
    const expected = cmp('status', '=', 'active', 0);
    assert.deepEqual(parseFilter("status='active'"), expected);
    assert.deepEqual(parseFilter("status = 'active'"), expected);
    assert.deepEqual(parseFilter("status\t=\n'active'"), expected);
    assert.deepEqual(parseFilter("status\u00A0>=\u00A0'active'"), cmp('status', '>=', 'active', 0));
  });

  test('leading and trailing whitespace is ignored and the position points at the field', () => {
    assert.deepEqual(parseFilter("  \n status='active'  \t"), cmp('status', '=', 'active', 4));
  });

  test('SDS: status and dateLastModified', () => {
    assert.deepEqual(parseFilter("status='active'"), cmp('status', '=', 'active', 0));
    assert.deepEqual(parseFilter("dateLastModified>'2020-01-01T01:00:00.000Z'"), cmp('dateLastModified', '>', '2020-01-01T01:00:00.000Z', 0));
    assert.deepEqual(parseFilter("sourcedId='norecords'"), cmp('sourcedId', '=', 'norecords', 0));
  });

  test('SDS: role AND dateLastModified', () => {
    assert.deepEqual(
      parseFilter("role='student' AND dateLastModified>'2024-01-01'"),
      and(cmp('role', '=', 'student', 0), cmp('dateLastModified', '>', '2024-01-01', 19)),
    );
  });

  test('SDS: username OR email contains', () => {
    assert.deepEqual(parseFilter("username='stud1' OR email~'stud1'"), or(cmp('username', '=', 'stud1', 0), cmp('email', '~', 'stud1', 20)));
  });

  test('SDS: schoolYear AND status', () => {
    assert.deepEqual(parseFilter("schoolYear='2024' AND status='active'"), and(cmp('schoolYear', '=', '2024', 0), cmp('status', '=', 'active', 22)));
  });

  test('dotted fields are kept as written', () => {
    assert.deepEqual(parseFilter("class.sourcedId='c1'"), cmp('class.sourcedId', '=', 'c1', 0));
    assert.deepEqual(parseFilter("roles.org.sourcedId='o1'"), cmp('roles.org.sourcedId', '=', 'o1', 0));
    assert.deepEqual(parseFilter("metadata.microsoft.userFlags~'flag'"), cmp('metadata.microsoft.userFlags', '~', 'flag', 0));
    assert.deepEqual(parseFilter("metadata.x-y.9='v'"), cmp('metadata.x-y.9', '=', 'v', 0));
  });

  test('field names: underscores and digits after the first character', () => {
    assert.deepEqual(parseFilter("_x1='v'"), cmp('_x1', '=', 'v', 0));
  });
});

describe('parseFilter: values', () => {
  test("'' inside an ASCII-quoted value is one quote", () => {
    assert.deepEqual(parseFilter("familyName='O''Brien'"), cmp('familyName', '=', "O'Brien", 0));
    assert.deepEqual(parseFilter("x=''''"), cmp('x', '=', "'", 0));
  });

  test('the empty value is allowed', () => {
    assert.deepEqual(parseFilter("middleName=''"), cmp('middleName', '=', '', 0));
  });

  test('typographic quotes as printed in the Microsoft docs', () => {
    assert.deepEqual(parseFilter('status=\u2019active\u2019'), cmp('status', '=', 'active', 0));
    assert.deepEqual(parseFilter('status=\u2018active\u2019'), cmp('status', '=', 'active', 0));
    assert.deepEqual(parseFilter('status=\u2018active\u2018'), cmp('status', '=', 'active', 0));
  });

  test('an ASCII quote inside a typographic-quoted value is literal', () => {
    assert.deepEqual(parseFilter("familyName=\u2018O'Brien\u2019"), cmp('familyName', '=', "O'Brien", 0));
  });

  test('values may contain AND, OR, parentheses, predicates and quotes', () => {
    assert.deepEqual(parseFilter("title='Rock AND Roll (OR not) = ~ >='"), cmp('title', '=', 'Rock AND Roll (OR not) = ~ >=', 0));
    assert.deepEqual(parseFilter("x='a'' AND y=''b'"), cmp('x', '=', "a' AND y='b", 0));
  });

  test('SQL-looking values are just text', () => {
    assert.deepEqual(parseFilter("username='x'' OR 1=1 --'"), cmp('username', '=', "x' OR 1=1 --", 0));
    assert.deepEqual(parseFilter("username='; DROP TABLE users; --'"), cmp('username', '=', '; DROP TABLE users; --', 0));
  });

  test('unicode and emoji values', () => {
    assert.deepEqual(parseFilter("givenName='Zoë 🎓 李'"), cmp('givenName', '=', 'Zoë 🎓 李', 0));
  });

  test('percent escapes are not decoded again', () => {
    assert.deepEqual(parseFilter("x='%27%20'"), cmp('x', '=', '%27%20', 0));
  });
});

describe('parseFilter: AND, OR and parentheses', () => {
  test('many clauses make one flat conjunction', () => {
    const clauses = Array.from({ length: 12 }, (_, i) => `f${i}='${i}'`);
    const result = parseFilter(clauses.join(' AND '));
    assert.equal(result.kind, 'and');
    assert.equal(result.kind === 'and' && result.terms.length, 12);
    assert.equal(shape(result), `and(${clauses.map((_, i) => `f${i}=${i}`).join(', ')})`);
  });

  test('a AND b AND c is one conjunction of three', () => {
    assert.equal(shape(parseFilter("a='1' AND b='2' AND c='3'")), 'and(a=1, b=2, c=3)');
  });

  test('AND binds tighter than OR', () => {
    assert.equal(shape(parseFilter("a='1' AND b='2' OR c='3'")), 'or(and(a=1, b=2), c=3)');
    assert.equal(shape(parseFilter("a='1' OR b='2' AND c='3'")), 'or(a=1, and(b=2, c=3))');
  });

  test('parentheses group', () => {
    assert.equal(shape(parseFilter("a='1' AND (b='2' OR c='3')")), 'and(a=1, or(b=2, c=3))');
    assert.equal(shape(parseFilter("(a='1' OR b='2') AND c='3'")), 'and(or(a=1, b=2), c=3)');
  });

  test('same-kind groups are flattened, also through parentheses', () => {
    assert.equal(shape(parseFilter("(a='1' AND b='2') AND c='3'")), 'and(a=1, b=2, c=3)');
    assert.equal(shape(parseFilter("a='1' OR (b='2' OR (c='3' OR d='4'))")), 'or(a=1, b=2, c=3, d=4)');
  });

  test('redundant parentheses disappear', () => {
    assert.deepEqual(parseFilter("((( status='active' )))"), cmp('status', '=', 'active', 4));
  });

  test('positions of comparisons inside parentheses', () => {
    assert.deepEqual(parseFilter("(a='1' OR b='2')"), or(cmp('a', '=', '1', 1), cmp('b', '=', '2', 10)));
  });

  test('and/or in any letter case', () => {
    assert.equal(shape(parseFilter("a='1' and b='2' or c='3' And d='4' oR e='5'")), 'or(and(a=1, b=2), and(c=3, d=4), e=5)');
  });

  test('AND and OR need no whitespace next to a quote or parenthesis', () => {
    assert.equal(shape(parseFilter("a='1'AND(b='2')OR c='3'")), 'or(and(a=1, b=2), c=3)');
  });

  test('a field may start with the letters of AND or OR', () => {
    assert.equal(shape(parseFilter("orgs='1' AND andrew='2'")), 'and(orgs=1, andrew=2)');
  });
});

describe('parseFilter: errors', () => {
  test('the message names the 1-based character, what was expected and what was found', () => {
    const error = assertError("role='x' AND status=active", 20, VALUE);
    assert.equal(error.message, 'Filter error at character 21: expected a quoted value, found "active"');
    assert.equal(error.name, 'FilterSyntaxError');
  });

  test('missing value', () => {
    const error = assertError('status=', 7, VALUE);
    assert.match(error.message, /found the end of the filter$/);
  });

  test('unquoted value', () => {
    assertError('status=active', 7, VALUE);
    assertError('score>5', 6, VALUE);
  });

  test('double quotes are not value delimiters', () => {
    assertError('status="active"', 7, VALUE);
  });

  test('unterminated quote points at the end of the filter', () => {
    const error = assertError("status='active", 14, 'a closing quote');
    assert.match(error.message, /starts at character 8/);
    assertError("status='it''", 12, 'a closing quote');
    assertError('status=\u2018active', 14, 'a closing quote');
  });

  test('missing predicate', () => {
    assertError("status 'active'", 7, PREDICATE);
    assertError("status! 'active'", 6, PREDICATE);
  });

  test('== : the second = is where a quoted value was expected', () => {
    assertError("status=='active'", 7, VALUE);
  });

  test('invalid field names', () => {
    assertError("1status='a'", 0, FIELD);
    assertError("class..sourcedId='a'", 0, FIELD);
    assertError("class.='a'", 0, FIELD);
    assertError("some-field='a'", 0, FIELD);
    assertError("'status'='a'", 0, FIELD);
  });

  test('trailing AND', () => {
    assertError("status='active' AND", 19, FIELD);
    assertError("status='active' AND   ", 22, FIELD);
  });

  test('dangling OR at the start', () => {
    const error = assertError("OR status='active'", 0, FIELD);
    assert.match(error.message, /found "OR"$/);
  });

  test('AND OR in a row', () => {
    assertError("a='1' AND OR b='2'", 10, FIELD);
  });

  test('unclosed parenthesis', () => {
    assertError("(status='active'", 16, ')');
    assertError("((a='1') OR b='2'", 17, ')');
  });

  test('unopened parenthesis', () => {
    assertError("status='active')", 15, CONNECTOR_OR_END);
  });

  test('empty parentheses', () => {
    assertError('()', 1, FIELD);
  });

  test('garbage after a complete filter', () => {
    const error = assertError("status='active' x", 16, CONNECTOR_OR_END);
    assert.match(error.message, /found "x"$/);
    assertError("status='active' 'more'", 16, CONNECTOR_OR_END);
    assertError("a='1' ANDb='2'", 6, CONNECTOR_OR_END);
  });

  test('empty and whitespace-only filters', () => {
    assertError('', 0, FIELD);
    assertError(' \t\n\u00A0', 0, FIELD);
  });

  test('long found text is cut to about 20 characters', () => {
    const error = assertError(`status=${'x'.repeat(100)}`, 7, VALUE);
    assert.equal(error.message, `Filter error at character 8: expected a quoted value, found "${'x'.repeat(20)}…"`);
    const emoji = assertError(`status=${'🎓'.repeat(30)}`, 7, VALUE);
    assert.equal(emoji.message, `Filter error at character 8: expected a quoted value, found "${'🎓'.repeat(20)}…"`);
    assert.match(assertError(`status=${'x'.repeat(20)}`, 7, VALUE).message, /found "x{20}"$/);
  });
});

describe('parseFilter: limits', () => {
  const clause = "status='active'";

  test('a filter of exactly maxLength characters is fine, one more is not', () => {
    const fits = clause + ' '.repeat(FILTER_LIMITS.maxLength - clause.length);
    assert.deepEqual(parseFilter(fits), cmp('status', '=', 'active', 0));
    const error = assertError(fits + ' ', FILTER_LIMITS.maxLength, `at most ${FILTER_LIMITS.maxLength} characters`);
    assert.match(error.message, /filter is longer than 16384 characters/);
  });

  test('parentheses nested maxDepth deep are fine, one more is an error at that (', () => {
    const depth = FILTER_LIMITS.maxDepth;
    assert.deepEqual(parseFilter('('.repeat(depth) + clause + ')'.repeat(depth)), cmp('status', '=', 'active', depth));
    const error = assertError('('.repeat(depth + 1) + clause + ')'.repeat(depth + 1), depth, `at most ${depth} levels of parentheses`);
    assert.match(error.message, /nested more than 32 levels/);
  });

  test('maxComparisons comparisons are fine, the next one is an error at its field', () => {
    const max = FILTER_LIMITS.maxComparisons;
    const atLimit = Array.from({ length: max }, () => clause).join(' OR ');
    const result = parseFilter(atLimit);
    assert.equal(result.kind === 'or' && result.terms.length, max);
    const overLimit = `${atLimit} AND ${clause}`;
    const error = assertError(overLimit, atLimit.length + ' AND '.length, `at most ${max} comparisons`);
    assert.match(error.message, /more than 200 comparisons/);
  });

  test('100 KB of ( is rejected by length without recursion', () => {
    assertError('('.repeat(100_000), FILTER_LIMITS.maxLength, `at most ${FILTER_LIMITS.maxLength} characters`);
  });

  test('maxLength characters of ( stop at the depth limit', () => {
    assertError('('.repeat(FILTER_LIMITS.maxLength), FILTER_LIMITS.maxDepth, `at most ${FILTER_LIMITS.maxDepth} levels of parentheses`);
  });
});
