import type { Predicate } from './ast.js';

/**
 * One token of a filter string. `text` is the exact source text and `position` its 0-based offset,
 * so the parser can say where something went wrong and what it found there.
 *
 * - `word`: a run of field characters (`A-Z a-z 0-9 _ . -`) that is not AND/OR; the parser checks it is a valid field.
 * - `and` / `or`: the words AND and OR in any letter case.
 * - `value`: a complete quoted value; `value` holds it with the quotes removed and `''` unescaped.
 * - `unterminated`: a quote that is never closed; the token runs to the end of the input.
 * - `unknown`: starts with a character that cannot start any other token (e.g. `$`, `"`, `!` not followed by `=`).
 * - `end`: always the last token, at `position === input.length`.
 */
export type Token =
  | { kind: 'word' | 'and' | 'or' | 'open' | 'close' | 'unterminated' | 'unknown' | 'end'; text: string; position: number }
  | { kind: 'predicate'; op: Predicate; text: string; position: number }
  | { kind: 'value'; value: string; text: string; position: number };

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v', '\u00A0']);
const ASCII_QUOTE = "'";
const TYPOGRAPHIC_QUOTES = new Set(['\u2018', '\u2019']);
/** Longest first, so `>=` wins over `>`. */
const PREDICATES: readonly Predicate[] = ['>=', '<=', '!=', '=', '>', '<', '~'];

function isWhitespace(ch: string): boolean {
  return WHITESPACE.has(ch);
}

function isWordChar(ch: string): boolean {
  return (
    (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch === '_' || ch === '.' || ch === '-'
  );
}

function predicateAt(input: string, i: number): Predicate | undefined {
  return PREDICATES.find((p) => input.startsWith(p, i));
}

/** An `unknown` token runs up to the next whitespace, parenthesis or quote, so error messages show the whole stray word. */
function endsUnknownRun(ch: string): boolean {
  return isWhitespace(ch) || ch === '(' || ch === ')' || ch === ASCII_QUOTE || TYPOGRAPHIC_QUOTES.has(ch);
}

/** The ASCII-quoted value opening at `start` (with `''` read as one `'`) and the index just past its closing quote; undefined if it never closes. */
function scanAsciiQuoted(input: string, start: number): { end: number; value: string } | undefined {
  let value = '';
  let i = start + 1;
  while (i < input.length) {
    const close = input.indexOf(ASCII_QUOTE, i);
    if (close === -1) return undefined;
    value += input.slice(i, close);
    if (input[close + 1] === ASCII_QUOTE) {
      value += ASCII_QUOTE;
      i = close + 2;
    } else {
      return { end: close + 1, value };
    }
  }
  return undefined;
}

/** Like scanAsciiQuoted for a value opened by U+2018 or U+2019: it closes at the next U+2018 or U+2019, with no escapes. */
function scanTypographicQuoted(input: string, start: number): { end: number; value: string } | undefined {
  for (let i = start + 1; i < input.length; i++) {
    if (TYPOGRAPHIC_QUOTES.has(input[i])) return { end: i + 1, value: input.slice(start + 1, i) };
  }
  return undefined;
}

/**
 * Split a filter string into tokens in one left-to-right pass (linear time, no regular expressions).
 * Never throws: anything that is not a valid token becomes an `unknown` or `unterminated` token,
 * which the parser reports with what it expected at that point. The last token is always `end`.
 */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    const start = i;
    if (isWhitespace(ch)) {
      i++;
    } else if (isWordChar(ch)) {
      while (i < input.length && isWordChar(input[i])) i++;
      const text = input.slice(start, i);
      const lower = text.toLowerCase();
      const kind = lower === 'and' ? 'and' : lower === 'or' ? 'or' : 'word';
      tokens.push({ kind, text, position: start });
    } else if (ch === '(' || ch === ')') {
      i++;
      tokens.push({ kind: ch === '(' ? 'open' : 'close', text: ch, position: start });
    } else if (ch === ASCII_QUOTE || TYPOGRAPHIC_QUOTES.has(ch)) {
      const quoted = ch === ASCII_QUOTE ? scanAsciiQuoted(input, start) : scanTypographicQuoted(input, start);
      i = quoted ? quoted.end : input.length;
      const text = input.slice(start, i);
      tokens.push(quoted ? { kind: 'value', value: quoted.value, text, position: start } : { kind: 'unterminated', text, position: start });
    } else {
      const op = predicateAt(input, i);
      if (op) {
        i += op.length;
        tokens.push({ kind: 'predicate', op, text: op, position: start });
      } else {
        i++;
        while (i < input.length && !endsUnknownRun(input[i])) i++;
        tokens.push({ kind: 'unknown', text: input.slice(start, i), position: start });
      }
    }
  }
  tokens.push({ kind: 'end', text: '', position: input.length });
  return tokens;
}
