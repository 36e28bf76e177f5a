import type { HeaderMap } from './headers.js';

/** The machine code and human message a vendor put in an error answer. */
export interface VendorErrorDetails {
  code?: string;
  message?: string;
}

const MAX_MESSAGE = 300;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined);
const clip = (s: string | undefined) => (s && s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s);

/** Reads `key` whatever its case (OneRoster vendors disagree on `imsx_CodeMinor` vs `imsx_codeMinor`). */
function field(o: Obj, key: string): unknown {
  const k = Object.keys(o).find((n) => n.toLowerCase() === key);
  return k === undefined ? undefined : o[k];
}

function fromJson(o: Obj): VendorErrorDetails {
  // OAuth 2 token endpoints (RFC 6749), Google and Microsoft identity: {"error": "invalid_client", "error_description": "…"}
  if (typeof o.error === 'string') return { code: o.error, message: str(o.error_description) ?? str(o.message) };
  // Google / Microsoft Graph: {"error": {"code": 403 | "Authorization_RequestDenied", "message", "errors": [{"reason"}], "status"}}
  if (isObj(o.error)) {
    const e = o.error;
    const reason = Array.isArray(e.errors) && isObj(e.errors[0]) ? str(e.errors[0].reason) : undefined;
    const code = typeof e.code === 'string' ? e.code : reason ?? str(e.status) ?? str(e.code);
    return { code, message: str(e.message) };
  }
  // OneRoster imsx StatusInfo: codeMinor value, description
  const minor = field(o, 'imsx_codeminor');
  if (minor !== undefined || field(o, 'imsx_codemajor') !== undefined) {
    const fields = isObj(minor) ? field(minor, 'imsx_codeminorfield') : undefined;
    const first = Array.isArray(fields) ? fields[0] : fields;
    return { code: isObj(first) ? str(field(first, 'imsx_codeminorfieldvalue')) : undefined, message: str(field(o, 'imsx_description')) };
  }
  // Clever / PowerSchool {"message", "errors": [{"code"}]}, Aeries {"Message"}
  const errors = field(o, 'errors');
  const firstCode = Array.isArray(errors) && isObj(errors[0]) ? str(errors[0].code) : undefined;
  return { code: str(o.code) ?? firstCode, message: str(field(o, 'message')) ?? str(o.detail) ?? str(o.title) };
}

function fromText(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (/^<(!doctype|html|\?xml|[a-z])/i.test(t)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(t)?.[1] ?? /<Message>([^<]*)<\/Message>/i.exec(t)?.[1];
    return str(title) ?? str(t.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' '));
  }
  return t.replace(/\s+/g, ' ');
}

/** The vendor's error code and message from an error answer's body (and `WWW-Authenticate`), for any known shape. */
export function extractVendorError(text: string, headers?: HeaderMap): VendorErrorDetails {
  let details: VendorErrorDetails = {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (isObj(json)) details = fromJson(json);
  else if (json === undefined) details = { message: fromText(text) };
  const challenge = headers?.['www-authenticate'];
  if (!details.code && challenge) details.code = /error="?([\w.-]+)"?/i.exec(challenge)?.[1];
  return { code: details.code, message: clip(details.message) };
}
