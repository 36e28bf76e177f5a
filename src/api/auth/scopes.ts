import { RollcallError } from '../../errors.js';
import type { OneRosterVersion } from '../../model/vocab.js';
import type { ScopeClass } from '../oneroster/endpoints.js';

const PREFIX: Record<OneRosterVersion, string> = {
  '1.1': 'https://purl.imsglobal.org/spec/or/v1p1/scope/',
  '1.2': 'https://purl.imsglobal.org/spec/or/v1p2/scope/',
};

/** The scopes (any one suffices) that open an endpoint of a class, in a version's own scope family. */
export function scopesFor(scope: ScopeClass, version: OneRosterVersion): string[] {
  const p = PREFIX[version];
  if (scope === 'core') return [`${p}roster-core.readonly`, `${p}roster.readonly`];
  if (scope === 'roster') return [`${p}roster.readonly`];
  return [`${p}roster-demographics.readonly`];
}

/** 403 unless the granted scopes include one that opens the endpoint. */
export function requireScope(granted: readonly string[], scope: ScopeClass, version: OneRosterVersion): void {
  const needed = scopesFor(scope, version);
  if (!needed.some((s) => granted.includes(s))) {
    throw new RollcallError('forbidden', `This endpoint needs the scope ${needed.join(' or ')}, which this token was not granted`);
  }
}
