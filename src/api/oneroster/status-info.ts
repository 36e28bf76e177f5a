import type { ErrorKind, RollcallError } from '../../errors.js';
import type { OneRosterVersion } from '../../model/vocab.js';

/**
 * The one place where Rollcall errors become OneRoster status information (spec/oneroster.md §4):
 * 1.2 answers with a bare imsx_StatusInfo object and structured codeMinor; 1.1 with a
 * `statusInfoSet` array whose codeMinor is a plain string in the 1.1 spelling. Choices are
 * recorded in docs/adr/0004-rest-api.md.
 */
const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  busy: 429,
  internal: 500,
  unsupported: 501,
};

/** codeMinor per kind in the 1.2 vocabulary; invalid_input carries its own in details.codeMinor. */
const CODE_MINOR: Partial<Record<ErrorKind, string>> = {
  invalid_input: 'invaliddata',
  unauthorized: 'unauthorisedrequest',
  forbidden: 'forbidden',
  not_found: 'unknownobject',
  busy: 'server_busy',
  internal: 'internal_server_error',
};

/** The 1.1 spellings of the 1.2 codes (the rest are spelled the same). */
const V1P1_SPELLING: Record<string, string> = {
  invaliddata: 'invalid data',
  unauthorisedrequest: 'unauthorized',
  unknownobject: 'unknown object',
};

export type StatusInfoResponse = { status: number; body: Record<string, unknown>; headers: Record<string, string> };

/** A warning that rides along a 200 in 1.1. */
export function warningInfo(codeMinor: string, description: string, operationId: string) {
  return {
    imsx_codeMajor: 'success', imsx_severity: 'warning', imsx_operationRefIdentifier: operationId, imsx_description: description, imsx_codeMinor: codeMinor,
  };
}

export function statusInfoFor(e: RollcallError, version: OneRosterVersion, operationId?: string): StatusInfoResponse {
  const status = HTTP_STATUS[e.kind];
  const codeMajor = e.kind === 'unsupported' ? 'unsupported' : 'failure';
  const codeMinor = (e.kind === 'invalid_input' && typeof e.details?.codeMinor === 'string' ? e.details.codeMinor : CODE_MINOR[e.kind]) as string | undefined;
  const headers: Record<string, string> = {};
  if (e.kind === 'busy' && typeof e.details?.retryAfterSeconds === 'number') headers['Retry-After'] = String(e.details.retryAfterSeconds);
  if (e.kind === 'unauthorized') {
    headers['WWW-Authenticate'] = version === '1.1' ? 'Bearer realm="OneRoster", OAuth realm="OneRoster"' : 'Bearer realm="OneRoster"';
  }
  if (version === '1.2') {
    const body: Record<string, unknown> = { imsx_codeMajor: codeMajor, imsx_severity: 'error', imsx_description: e.message };
    if (codeMinor) body.imsx_CodeMinor = { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor }] };
    return { status, body, headers };
  }
  const info: Record<string, unknown> = { imsx_codeMajor: codeMajor, imsx_severity: 'error' };
  if (operationId) info.imsx_operationRefIdentifier = operationId;
  info.imsx_description = e.message;
  if (codeMinor) info.imsx_codeMinor = V1P1_SPELLING[codeMinor] ?? codeMinor;
  return { status, body: { statusInfoSet: [info] }, headers };
}
