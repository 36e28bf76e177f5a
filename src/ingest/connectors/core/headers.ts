/** Response headers with lower-case names; repeated headers are joined with ", ". */
export type HeaderMap = Readonly<Record<string, string>>;

export function normalizeHeaders(raw: Record<string, string | string[] | undefined> | undefined): HeaderMap {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
