import type { Knex } from 'knex';
import type { KeyRing } from '../../crypto/key-ring.js';
import type { Logger } from '../../log.js';
import { adminMessage } from '../sync/admin-message.js';
import { connectorFor } from '../connectors/registry.js';
import type { ProbeResult } from '../connectors/types.js';
import { getConnection, openCredentials, setConnectionStatus, type Connection } from './connections.js';

/**
 * "Test connection": status Testing, then the connector authenticates and probes each entity;
 * Success when every probe passed, Error with the failing probes' messages otherwise.
 */
export async function testConnection(deps: { knex: Knex; keyRing?: KeyRing; log: Logger }, id: string): Promise<{ connection: Connection; probes: ProbeResult[] }> {
  const conn = await getConnection(deps.knex, id);
  await setConnectionStatus(deps.knex, id, 'testing', null);
  let probes: ProbeResult[] = [];
  let message: string;
  try {
    const connector = connectorFor(conn.provider);
    const credentials = await openCredentials(deps.knex, id, deps.keyRing);
    probes = await connector.test({
      connectionId: id, tenant: conn.tenant, config: conn.config, credentials, log: deps.log.child({ connection: id }),
      signal: AbortSignal.timeout(120_000), runCache: new Map(), note: () => {},
    });
    const failed = probes.filter((p) => !p.ok);
    message = failed.length ? failed.map((p) => `${p.entity}: ${p.message}`).join('; ') : `connected; ${probes.length} entities readable`;
    await setConnectionStatus(deps.knex, id, failed.length || probes.length === 0 ? 'error' : 'success', message);
  } catch (err) {
    message = adminMessage(err);
    await setConnectionStatus(deps.knex, id, 'error', message);
  }
  return { connection: await getConnection(deps.knex, id), probes };
}
