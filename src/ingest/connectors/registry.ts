import { RollcallError } from '../../errors.js';
import type { AnyConnector } from './types.js';

/** Every connector Rollcall offers, by provider name. */
const CONNECTORS = new Map<string, AnyConnector>();

export function registerConnector(c: AnyConnector): void {
  CONNECTORS.set(c.provider, c);
}

export function connectorFor(provider: string): AnyConnector {
  const c = CONNECTORS.get(provider);
  if (!c) throw new RollcallError('invalid_input', `Unknown provider "${provider}"; known: ${[...CONNECTORS.keys()].sort().join(', ') || '(none)'}`);
  return c;
}

export function listConnectors(): AnyConnector[] {
  return [...CONNECTORS.values()].sort((a, b) => a.provider.localeCompare(b.provider));
}
