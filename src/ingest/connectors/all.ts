import { cleverConnector } from './clever/connector.js';
import { csvDropConnector } from './csv-drop/connector.js';
import { oneRosterApiConnector } from './oneroster-api/connector.js';
import { registerConnector } from './registry.js';
import type { AnyConnector } from './types.js';

/** Every connector Rollcall ships. A connector joins by being listed here. */
const SHIPPED: AnyConnector[] = [cleverConnector, csvDropConnector, oneRosterApiConnector];

let registered = false;
export function registerShippedConnectors(): void {
  if (registered) return;
  registered = true;
  for (const c of SHIPPED) registerConnector(c);
}
