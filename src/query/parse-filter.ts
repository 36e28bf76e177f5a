import { FILTER_LIMITS, FilterSyntaxError, type Comparison, type FilterExpr } from './ast.js';
import { tokenize, type Token } from './tokenize.js';

/** What the parser was looking for, as shown to API users in `FilterSyntaxError.expected`. */
const EXPECTED = {
  field: 'a field name',
  predicate: 'a predicate (=, !=, >, >=, <, <=, ~)',
  value: 'a quoted value',
  closingQuote: 'a closing quote',
  connectorOrEnd: 'AND, OR or the end of the filter',
  closeParen: ')',
  shorterFilter: `at most ${FILTER_LIMITS.maxLength} characters`,
  shallowerNesting: `at most ${FILTER_LIMITS.maxDepth} levels of parentheses`,
  fewerComparisons: `at most ${FILTER_LIMITS.maxComparisons} comparisons`,
} as const;

/** How much of the offending text an error message quotes. */
const FOUND_MAX_CHARS = 20;

/** `"active"` for a token, `the end of the filter` at the end; long text is cut to FOUND_MAX_CHARS code points. */
function describeFound(token: Token): string {
  if (token.kind === 'end') return 'the end of the filter';
  const codePoints: string[] = [];
  for (const codePoint of token.text) {
    if (codePoints.length === FOUND_MAX_CHARS) return JSON.stringify(`${codePoints.join('')}…`);
    codePoints.push(codePoint);
  }
  return JSON.stringify(token.text);
}

function errorAt(position: number, expected: string, problem: string): FilterSyntaxError {
  return new FilterSyntaxError(position, expected, `Filter error at character ${position + 1}: ${problem}`);
}

function unexpected(token: Token, expected: string): FilterSyntaxError {
  return errorAt(token.position, expected, `expected ${expected}, found ${describeFound(token)}`);
}

function isAsciiLetterOrUnderscore(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isAsciiDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** name = [A-Za-z_][A-Za-z0-9_]* */
function isName(text: string): boolean {
  return text.length > 0 && isAsciiLetterOrUnderscore(text[0]) && Array.from(text).every((ch) => isAsciiLetterOrUnderscore(ch) || isAsciiDigit(ch));
}

/** segment = [A-Za-z0-9_-]+ */
function isSegment(text: string): boolean {
  return text.length > 0 && Array.from(text).every((ch) => isAsciiLetterOrUnderscore(ch) || isAsciiDigit(ch) || ch === '-');
}

/** field = name *( "." segment ), e.g. `status`, `class.sourcedId`, `metadata.microsoft.userFlags`. */
function isFieldName(text: string): boolean {
  const [name, ...segments] = text.split('.');
  return isName(name) && segments.every(isSegment);
}

/** Build an AND or OR node, merging same-kind children so `(a AND b) AND c` has three terms. */
function combine(kind: 'and' | 'or', terms: FilterExpr[]): FilterExpr {
  if (terms.length === 1) return terms[0];
  return { kind, terms: terms.flatMap((term) => (term.kind === kind ? term.terms : [term])) };
}

/** Recursive descent over the tokens of one filter; depth and comparison count are capped by FILTER_LIMITS. */
class FilterParser {
  private index = 0;
  private comparisons = 0;

  constructor(private readonly tokens: Token[]) {}

  /** filter = expr EOF */
  parseFilter(): FilterExpr {
    const expr = this.parseExpr(0);
    const next = this.peek();
    if (next.kind !== 'end') throw unexpected(next, EXPECTED.connectorOrEnd);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private advance(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index++;
    return token;
  }

  /** expr = andExpr *( OR andExpr ) */
  private parseExpr(depth: number): FilterExpr {
    const terms = [this.parseAnd(depth)];
    while (this.peek().kind === 'or') {
      this.advance();
      terms.push(this.parseAnd(depth));
    }
    return combine('or', terms);
  }

  /** andExpr = primary *( AND primary ) */
  private parseAnd(depth: number): FilterExpr {
    const terms = [this.parsePrimary(depth)];
    while (this.peek().kind === 'and') {
      this.advance();
      terms.push(this.parsePrimary(depth));
    }
    return combine('and', terms);
  }

  /** primary = "(" expr ")" / comparison */
  private parsePrimary(depth: number): FilterExpr {
    const open = this.peek();
    if (open.kind !== 'open') return this.parseComparison();
    if (depth >= FILTER_LIMITS.maxDepth) {
      throw errorAt(open.position, EXPECTED.shallowerNesting, `parentheses are nested more than ${FILTER_LIMITS.maxDepth} levels deep`);
    }
    this.advance();
    const expr = this.parseExpr(depth + 1);
    const close = this.peek();
    if (close.kind !== 'close') throw unexpected(close, EXPECTED.closeParen);
    this.advance();
    return expr;
  }

  /** comparison = field [ws] predicate [ws] value */
  private parseComparison(): Comparison {
    const field = this.advance();
    if (field.kind !== 'word' || !isFieldName(field.text)) throw unexpected(field, EXPECTED.field);
    this.comparisons++;
    if (this.comparisons > FILTER_LIMITS.maxComparisons) {
      throw errorAt(field.position, EXPECTED.fewerComparisons, `the filter has more than ${FILTER_LIMITS.maxComparisons} comparisons`);
    }
    const predicate = this.advance();
    if (predicate.kind !== 'predicate') throw unexpected(predicate, EXPECTED.predicate);
    const value = this.advance();
    if (value.kind === 'unterminated') {
      const end = value.position + value.text.length;
      throw errorAt(end, EXPECTED.closingQuote, `expected ${EXPECTED.closingQuote} for the value that starts at character ${value.position + 1}, found the end of the filter`);
    }
    if (value.kind !== 'value') throw unexpected(value, EXPECTED.value);
    return { kind: 'comparison', field: field.text, op: predicate.op, value: value.value, position: field.position };
  }
}

/**
 * Parse the (already URL-decoded) value of a OneRoster `filter` query parameter into a FilterExpr.
 * AND binds tighter than OR, parentheses group, and same-kind groups are flattened.
 * Runs in linear time and throws only FilterSyntaxError (with a 0-based position and a readable message),
 * also for inputs beyond FILTER_LIMITS.
 */
export function parseFilter(input: string): FilterExpr {
  if (input.length > FILTER_LIMITS.maxLength) {
    throw errorAt(FILTER_LIMITS.maxLength, EXPECTED.shorterFilter, `the filter is longer than ${FILTER_LIMITS.maxLength} characters`);
  }
  const tokens = tokenize(input);
  if (tokens[0].kind === 'end') {
    throw errorAt(0, EXPECTED.field, `expected ${EXPECTED.field}, found the end of the filter (the filter is empty)`);
  }
  return new FilterParser(tokens).parseFilter();
}
