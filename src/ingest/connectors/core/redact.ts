/**
 * The one place secrets are removed from text that leaves the core: admin messages, technical
 * detail, logs. Three nets: names that look secret (query parameters, headers, JSON keys, form
 * fields), credential schemes (`Bearer …`, `Basic …`), and the connection's own secret values.
 */
export const REDACTED = '[redacted]';

const SECRET_NAME = /secret|passw|pwd|token|api[-_]?key|apikey|signature|assertion|credential|authori[sz]ation|cookie|cert|private[-_]?key|session|bearer/i;
/** Paging and protocol fields whose names look secret but which are not credentials. */
const NOT_SECRET = /^(\$?skiptoken|\$?deltatoken|page_?token|next_?page_?token|continuation_?token|token_?type|expires_?in)$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET.test(name);
}

/** A URL with user info and secret-named query values replaced. */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return redactText(String(url));
  }
  if (u.username) u.username = REDACTED;
  if (u.password) u.password = REDACTED;
  for (const name of new Set(u.searchParams.keys())) if (isSecretName(name)) u.searchParams.set(name, REDACTED);
  return u.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED);
}

export function redactHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = isSecretName(name) ? REDACTED : redactText(Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}

/** Credentials after an auth scheme (`Bearer` in any case, `Basic`/`Digest` capitalised, as in headers). */
const SCHEME = /\b([Bb][Ee][Aa][Rr][Ee][Rr]|Basic|Digest)(\s+)[\w.~+/=-]{8,}/g;
const NAME_VALUE = /([?&;,\s"'{(]|^)([\w.$[\]-]+)=("[^"]*"|[^&\s"'#)]*)/g;
const JSON_PAIR = /"([^"\\]{1,80})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
const HEADER_LINE = /^(\s*)([A-Za-z][\w-]*)(\s*:\s*)(.+)$/gm;

/** `text` without secrets; `secrets` are exact values to remove too (with their URL-encoded forms). */
export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(REDACTED);
  }
  return out
    .replace(JSON_PAIR, (all, key: string, colon: string, value: string) => (isSecretName(key) && value !== REDACTED ? `"${key}"${colon}"${REDACTED}"` : all))
    .replace(HEADER_LINE, (all, lead: string, name: string, colon: string) => (isSecretName(name) ? `${lead}${name}${colon}${REDACTED}` : all))
    .replace(NAME_VALUE, (all, lead: string, name: string) => (isSecretName(name) ? `${lead}${name}=${REDACTED}` : all))
    .replace(SCHEME, (all, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
}

/** Redaction bound to one connection's secret values (which may change, e.g. after a token refresh). */
export class Redactor {
  constructor(private readonly secrets: () => Iterable<string> = () => []) {}

  text(text: string): string {
    return redactText(text, this.secrets());
  }

  url(url: string | URL): string {
    return redactText(redactUrl(url), this.secrets());
  }

  /** Strings anywhere inside `value` redacted; values under secret-named keys replaced. */
  value<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (depth > 8 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isSecretName(k) && x !== undefined ? REDACTED : this.walk(x, depth + 1)]));
  }
}
