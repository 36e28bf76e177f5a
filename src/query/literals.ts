/** Reads filter values (always quoted strings) as the typed values their fields compare by. */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

function validDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * An ISO 8601 date or date-time as a UTC instant `YYYY-MM-DDTHH:mm:ss.sssZ`, or undefined when the
 * value is not one. A date alone is its midnight UTC; a date-time without an offset is UTC.
 */
export function instantOf(value: string): string | undefined {
  const v = value.trim();
  const d = DATE.exec(v);
  if (d) return validDate(+d[1], +d[2], +d[3]) ? `${v}T00:00:00.000Z` : undefined;
  const t = DATETIME.exec(v);
  if (!t || !validDate(+t[1], +t[2], +t[3]) || +t[4] > 23 || +t[5] > 59 || +(t[6] ?? 0) > 59) return undefined;
  const zone = !t[8] || t[8] === 'z' ? 'Z' : t[8].length === 3 ? `${t[8]}:00` : t[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = (t[7] ?? '.0').slice(0, 4).padEnd(4, '0');
  const parsed = new Date(`${t[1]}-${t[2]}-${t[3]}T${t[4]}:${t[5]}:${t[6] ?? '00'}${ms}${zone}`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}

export function booleanOf(value: string): 'true' | 'false' | undefined {
  const v = value.trim().toLowerCase();
  return v === 'true' || v === 'false' ? v : undefined;
}

/** The vocabulary's spelling of an enumeration value, matched case-insensitively. */
export function enumOf(value: string, vocabulary: readonly string[]): string | undefined {
  const lower = value.toLowerCase();
  return vocabulary.find((v) => v.toLowerCase() === lower);
}
