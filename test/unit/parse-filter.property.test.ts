import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FILTER_LIMITS, FilterSyntaxError, type Comparison, type FilterExpr, type Predicate } from '../../src/query/ast.js';
import { parseFilter } from '../../src/query/parse-filter.js';

const PREDICATES: readonly Predicate[] = ['=', '!=', '>', '>=', '<', '<=', '~'];

/** Pieces of the filter language and of typical attacks, glued together to make near-miss inputs. */
const FRAGMENTS = [
  "'", '\u2019', '\u2018', "''", '(', ')', ' AND ', ' OR ', ' and ', 'or', 'AND', ' ', '\t', '\n', '\u00A0',
  '=', '!=', '>=', '<=', '>', '<', '~', '==', '!', '.', '-', '1', '"', '%27', '\0', '\uD800', '\uDC00', '🎓',
  'status', 'class.sourcedId', 'roles.org.sourcedId', 'metadata.microsoft.userFlags', "'active'", "status='active'",
  '; DROP TABLE users; --', "' OR '1'='1", "x' OR 1=1 --",
];

// ---------------------------------------------------------------------------------------------------------------
// Checks on whatever parseFilter does with an input

/** Comparisons in left-to-right order. */
function comparisonsOf(expr: FilterExpr): Comparison[] {
  return expr.kind === 'comparison' ? [expr] : expr.terms.flatMap(comparisonsOf);
}

/** A parsed tree is flat (no group of one, no group inside a group of the same kind) and its positions point at its fields. */
function assertWellFormed(expr: FilterExpr, input: string): void {
  if (expr.kind !== 'comparison') {
    assert.ok(expr.terms.length >= 2, 'a group has at least two terms');
    for (const term of expr.terms) {
      assert.notEqual(term.kind, expr.kind, 'same-kind groups are flattened');
      assertWellFormed(term, input);
    }
    return;
  }
  assert.ok(PREDICATES.includes(expr.op));
  assert.equal(input.slice(expr.position, expr.position + expr.field.length), expr.field);
}

/** parseFilter returns a well-formed tree or throws a FilterSyntaxError inside the input; nothing else. */
function assertParsesOrRejects(input: string): void {
  let result: FilterExpr;
  try {
    result = parseFilter(input);
  } catch (error) {
    assert.ok(error instanceof FilterSyntaxError, `not a FilterSyntaxError: ${String(error)}`);
    assert.ok(error.position >= 0 && error.position <= input.length, `position ${error.position} outside 0..${input.length}`);
    assert.ok(error.expected.length > 0);
    assert.ok(error.message.startsWith(`Filter error at character ${error.position + 1}: `), error.message);
    return;
  }
  assertWellFormed(result, input);
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitrary inputs

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const fragment = fc.constantFrom(...FRAGMENTS);
const fragments = (maxLength: number) => fc.array(fragment, { maxLength }).map((parts) => parts.join(''));

describe('parseFilter never throws anything but FilterSyntaxError', () => {
  const cases: [string, fc.Arbitrary<string>, number][] = [
    ['full unicode strings', fc.string({ unit: 'binary', maxLength: 80 }), 2500],
    ['grapheme strings', fc.string({ unit: 'grapheme', maxLength: 40 }), 1500],
    ['control and latin-1 strings', fc.string({ unit: 'binary-ascii', maxLength: 80 }), 1500],
    ['strings with lone surrogates', fc.string({ unit: fc.oneof(loneSurrogate, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }), 1000],
    ['grammar and attack fragments', fragments(30), 4000],
    ['fragments mixed with random text', fc.array(fc.oneof(fragment, fc.string({ unit: 'binary', maxLength: 3 }))).map((parts) => parts.join('')), 2000],
  ];
  for (const [name, input, numRuns] of cases) {
    test(name, () => {
      fc.assert(fc.property(input, assertParsesOrRejects), { numRuns });
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Round trip: random tree -> filter text -> parseFilter -> same tree

/** A tree as generated: groups may have a single kind nested in itself, positions are not known yet. */
type Tree = { kind: 'comparison'; field: string; op: Predicate; value: string } | { kind: 'and' | 'or'; terms: Tree[] };

const FIELDS = ['status', 'role', 'sourcedId', 'dateLastModified', 'class.sourcedId', 'roles.org.sourcedId', 'metadata.microsoft.userFlags', 'metadata.x-y.9', '_x1', 'orgs', 'ANDREW', 'order'];

const valueArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: loneSurrogate, maxLength: 2 }),
  fragments(6),
);

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree; comparison: Tree; group: Tree }>((tie) => ({
  tree: fc.oneof({ maxDepth: 4, depthSize: 'small' }, tie('comparison'), tie('group')),
  comparison: fc.record({ kind: fc.constant('comparison' as const), field: fc.constantFrom(...FIELDS), op: fc.constantFrom(...PREDICATES), value: valueArb }),
  group: fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), terms: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }) }),
})).tree;

/** The tree parseFilter should give back: same-kind groups merged, positions left out. */
function normalize(tree: Tree): unknown {
  if (tree.kind === 'comparison') return { kind: tree.kind, field: tree.field, op: tree.op, value: tree.value };
  const terms = tree.terms.flatMap((term) => (term.kind === tree.kind ? (normalize(term) as { terms: unknown[] }).terms : [normalize(term)]));
  return { kind: tree.kind, terms };
}

function withoutPositions(expr: FilterExpr): unknown {
  if (expr.kind === 'comparison') return { kind: expr.kind, field: expr.field, op: expr.op, value: expr.value };
  return { kind: expr.kind, terms: expr.terms.map(withoutPositions) };
}

const OPTIONAL_SPACE = ['', '', ' ', '  ', '\t', '\n', '\u00A0', ' \r\n '];
const REQUIRED_SPACE = [' ', ' ', '  ', '\t', '\n', '\u00A0'];
const CASINGS = [(w: string) => w, (w: string) => w.toLowerCase(), (w: string) => w[0] + w.slice(1).toLowerCase()];

/** Prints a tree as filter text, taking its random choices (spacing, casing, quoting, extra parentheses) from `choices`. */
class FilterPrinter {
  text = '';
  /** Offset of each printed field, left to right. */
  readonly positions: number[] = [];
  private next = 0;

  constructor(private readonly choices: number[]) {}

  private choose<T>(options: readonly T[]): T {
    const choice = this.choices[this.next++ % this.choices.length];
    return options[choice % options.length];
  }

  private space(options: readonly string[]): void {
    this.text += this.choose(options);
  }

  private quote(value: string): string {
    const typographic = !value.includes('\u2018') && !value.includes('\u2019') && this.choose([false, false, true]);
    if (!typographic) return `'${value.replaceAll("'", "''")}'`;
    return this.choose(['\u2018', '\u2019']) + value + this.choose(['\u2018', '\u2019']);
  }

  print(tree: Tree, parentKind?: 'and' | 'or'): void {
    const needsParentheses = parentKind === 'and' && tree.kind === 'or';
    const parenthesize = needsParentheses || this.choose([false, false, false, true]);
    if (parenthesize) this.text += '(';
    this.space(OPTIONAL_SPACE);
    if (tree.kind === 'comparison') {
      this.positions.push(this.text.length);
      this.text += tree.field;
      this.space(OPTIONAL_SPACE);
      this.text += tree.op;
      this.space(OPTIONAL_SPACE);
      this.text += this.quote(tree.value);
    } else {
      tree.terms.forEach((term, i) => {
        if (i > 0) {
          this.space(REQUIRED_SPACE);
          this.text += this.choose(CASINGS)(tree.kind.toUpperCase());
          this.space(REQUIRED_SPACE);
        }
        this.print(term, tree.kind);
      });
    }
    this.space(OPTIONAL_SPACE);
    if (parenthesize) this.text += ')';
  }
}

describe('parseFilter round trip', () => {
  test('a printed random tree parses back to the same tree, with positions at the fields', () => {
    fc.assert(
      fc.property(treeArb, fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (tree, choices) => {
        const printer = new FilterPrinter(choices);
        printer.print(tree);
        const parsed = parseFilter(printer.text);
        assert.deepEqual(withoutPositions(parsed), normalize(tree));
        assert.deepEqual(comparisonsOf(parsed).map((c) => c.position), printer.positions);
      }),
      { numRuns: 3000 },
    );
  });

  test('a printed random tree with one random edit parses or rejects cleanly', () => {
    const edit = fc.record({ at: fc.nat(), deleteCount: fc.nat({ max: 3 }), insert: fc.oneof(fragment, fc.constant('')) });
    fc.assert(
      fc.property(treeArb, fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), edit, (tree, choices, { at, deleteCount, insert }) => {
        const printer = new FilterPrinter(choices);
        printer.print(tree);
        const start = at % (printer.text.length + 1);
        assertParsesOrRejects(printer.text.slice(0, start) + insert + printer.text.slice(start + deleteCount));
      }),
      { numRuns: 1500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Very long inputs

/** `unit` repeated and cut to exactly `length` characters. */
function repeatTo(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

describe('parseFilter on very long inputs', () => {
  const longUnit = fc.array(fragment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));

  for (const length of [100_000, FILTER_LIMITS.maxLength]) {
    test(`${length} characters of repeated fragments finish quickly`, () => {
      fc.assert(
        fc.property(longUnit, (unit) => {
          const input = repeatTo(unit, length);
          const started = performance.now();
          assertParsesOrRejects(input);
          assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
        }),
        { numRuns: 40 },
      );
    });
  }

  test('the classic blow-up shapes at the length limit', () => {
    for (const unit of ['(', ')', "'", "''", '\u2018', "status='a' AND ", "status='a' OR (", 'x', ' ', "status='"]) {
      const started = performance.now();
      assertParsesOrRejects(repeatTo(unit, FILTER_LIMITS.maxLength));
      assertParsesOrRejects(repeatTo(unit, 100_000));
      assert.ok(performance.now() - started < 1000, `${JSON.stringify(unit)} took ${performance.now() - started} ms`);
    }
  });
});
