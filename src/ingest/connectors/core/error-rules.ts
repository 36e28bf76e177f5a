import type { FailureCategory, FailureFacts, FailureReason } from './failure.js';

/** Which failures a rule is about. Every given condition must hold. */
export interface RuleMatch {
  status?: number | readonly number[] | '3xx' | '4xx' | '5xx';
  /** The vendor's error code (exact, case-insensitive) or a pattern over it. */
  code?: string | readonly string[] | RegExp;
  /** A pattern over the vendor's error message. */
  message?: RegExp;
  reason?: FailureReason | readonly FailureReason[];
  networkCode?: string | readonly string[];
}

/**
 * One row of a vendor's error table: what an admin should be told for a kind of failure. Vendor
 * profiles list their rows first; the generic rows below catch the rest. `retryable` overrides the
 * status rule for the vendors that signal transient trouble with a 4xx (Google's 403 quota answers).
 */
export interface ErrorRule {
  id: string;
  when: RuleMatch;
  retryable?: boolean;
  category?: FailureCategory;
  admin: (f: FailureFacts) => string;
}

const list = <T>(v: T | readonly T[]): readonly T[] => (Array.isArray(v) ? v : [v as T]);

function statusMatches(want: NonNullable<RuleMatch['status']>, status: number | undefined): boolean {
  if (status === undefined) return false;
  if (typeof want === 'string') return Math.floor(status / 100) === Number(want[0]);
  return list(want).includes(status);
}

function codeMatches(want: NonNullable<RuleMatch['code']>, code: string | undefined): boolean {
  if (code === undefined) return false;
  if (want instanceof RegExp) return want.test(code);
  return list(want).some((c) => c.toLowerCase() === code.toLowerCase());
}

export function ruleMatches(rule: ErrorRule, f: FailureFacts): boolean {
  const w = rule.when;
  return (w.status === undefined || statusMatches(w.status, f.status))
    && (w.code === undefined || codeMatches(w.code, f.vendorCode))
    && (w.message === undefined || (f.vendorMessage !== undefined && w.message.test(f.vendorMessage)))
    && (w.reason === undefined || list(w.reason).includes(f.reason))
    && (w.networkCode === undefined || (f.networkCode !== undefined && list(w.networkCode).includes(f.networkCode)));
}

/** The first of `rules` that matches, else the first generic rule that does (the last generic rule matches anything). */
export function findRule(f: FailureFacts, rules: readonly ErrorRule[] = []): ErrorRule {
  return [...rules, ...GENERIC_RULES].find((r) => ruleMatches(r, f))!;
}

// Phrase helpers shared by rule tables.
export const what = (f: FailureFacts) => f.entity ?? 'this data';
export const tries = (f: FailureFacts) => (f.attempts > 1 ? ` after ${f.attempts} attempts` : '');
export const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);
export const said = (f: FailureFacts) => (f.vendorMessage ? ` (${f.vendorName} said: "${f.vendorMessage}")` : '');
const head = (f: FailureFacts) => `${f.status}${f.vendorCode ? ` ${f.vendorCode}` : ''} from ${f.vendorName}`;

/** Fallbacks for every vendor: network, timeouts, broken bodies, and each class of status. */
export const GENERIC_RULES: readonly ErrorRule[] = [
  {
    id: 'tls', when: { reason: 'tls' }, category: 'tls',
    admin: (f) => `the TLS certificate of ${f.host} was refused (${f.networkCode}) (the certificate must be fixed on ${f.vendorName}'s side; Rollcall does not connect without a valid one)`,
  },
  {
    id: 'dns', when: { reason: 'network', networkCode: ['ENOTFOUND', 'EAI_AGAIN'] }, category: 'network',
    admin: (f) => `could not resolve the host name ${f.host}${tries(f)} (check the server address in the connection settings)`,
  },
  {
    id: 'refused', when: { reason: 'network', networkCode: 'ECONNREFUSED' }, category: 'network',
    admin: (f) => `${f.host} refused the connection${tries(f)} (check the server address and port, and that ${f.vendorName} is running)`,
  },
  {
    id: 'timeout', when: { reason: 'timeout' }, category: 'timeout',
    admin: (f) => `${f.vendorName} did not answer within ${duration(f.timeoutMs)}${tries(f)} (${f.host} may be overloaded or down: try again later)`,
  },
  {
    id: 'network', when: { reason: 'network' }, category: 'network',
    admin: (f) => `the connection to ${f.vendorName} (${f.host}) failed${tries(f)}${f.networkCode ? ` (${f.networkCode})` : ''} (check the network between Rollcall and ${f.vendorName}, then try again)`,
  },
  {
    id: 'truncated', when: { reason: 'truncated' }, category: 'bad_response',
    admin: (f) => `${f.vendorName} broke off its answer for ${what(f)} in the middle${tries(f)} (a network or server problem: try again later)`,
  },
  {
    id: 'invalid-json', when: { reason: 'invalid_json' }, category: 'bad_response',
    admin: (f) => `${f.vendorName} sent an answer for ${what(f)} that is not valid JSON${tries(f)} (it may be cut short or an error page: check the base URL, then try again)`,
  },
  {
    id: 'redirect', when: { status: '3xx' }, category: 'rejected',
    admin: (f) => `${head(f)}: ${f.path} is redirected elsewhere (check the base URL in the connection settings, e.g. https and the exact API path)`,
  },
  {
    id: '401', when: { status: 401 }, category: 'auth',
    admin: (f) => `${head(f)}: the credentials were refused${said(f)} (check the client id, secret or key in the connection settings)`,
  },
  {
    id: '403', when: { status: 403 }, category: 'permission',
    admin: (f) => `${head(f)}: the credentials are valid but lack permission for ${what(f)}${said(f)} (grant read access to ${what(f)} in ${f.vendorName})`,
  },
  {
    id: '404', when: { status: 404 }, category: 'not_found',
    admin: (f) => `${head(f)}: ${f.path} was not found on ${f.host} (check the base URL and API version in the connection settings)`,
  },
  {
    id: '408', when: { status: 408 }, category: 'timeout',
    admin: (f) => `${head(f)}: the server timed out waiting for the request${tries(f)} (a network or server problem: try again later)`,
  },
  {
    id: '429', when: { status: 429 }, category: 'rate_limited',
    admin: (f) => `${head(f)}: still rate limited${tries(f)} (lower this connection's request budget, or schedule the sync at a quieter time)`,
  },
  {
    id: '501', when: { status: 501 }, category: 'rejected',
    admin: (f) => `${head(f)}: ${f.path} is not implemented on this server (the feature may be turned off, or need a newer ${f.vendorName} version)`,
  },
  {
    id: '5xx', when: { status: '5xx' }, category: 'server',
    admin: (f) => `${head(f)}: the server failed${tries(f)} (a problem on ${f.vendorName}'s side: try again later, and contact ${f.vendorName} support if it persists)`,
  },
  {
    id: '4xx', when: { status: '4xx' }, category: 'rejected',
    admin: (f) => `${head(f)}: the request for ${what(f)} was refused${said(f)} (likely a connector problem: report it with the technical detail)`,
  },
  {
    id: 'other', when: {}, category: 'internal',
    admin: (f) => `the request to ${f.vendorName} for ${what(f)} failed (${f.status ?? f.networkCode ?? f.reason})${tries(f)}`,
  },
];
