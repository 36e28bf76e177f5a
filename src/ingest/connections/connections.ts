import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { parseInput } from '../../auth/input.js';
import { requireTenant } from '../../auth/require-tenant.js';
import type { KeyRing } from '../../crypto/key-ring.js';
import { RollcallError } from '../../errors.js';
import { connectorFor } from '../connectors/registry.js';

export type ConnectionStatus = 'configured' | 'testing' | 'success' | 'error';

/** A saved connection as admins see it: never its credentials. */
export type Connection = {
  id: string;
  tenant: string;
  name: string;
  provider: string;
  config: Record<string, unknown>;
  hasCredentials: boolean;
  priority: number;
  schedule: string | null;
  tombstoneThreshold: number;
  status: ConnectionStatus;
  lastMessage: string | null;
  lastTestedAt: Date | null;
};

export const NewConnection = z.object({
  tenant: z.string().min(1),
  name: z.string().min(1).max(200),
  provider: z.string().min(1),
  id: z.string().regex(/^[A-Za-z0-9._-]{3,64}$/, 'connection id: 3-64 characters of A-Z a-z 0-9 . _ -').optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), z.unknown()).default({}),
  /** Lower wins when two connections write the same record. */
  priority: z.number().int().min(0).max(10_000).default(100),
  /** Cron expression (pg-boss), or null for manual runs only. */
  schedule: z.string().min(1).nullable().default(null),
  /** A full run that would tombstone more than this share of an entity waits for approval. */
  tombstoneThreshold: z.number().min(0).max(1).default(0.1),
});

const COLUMNS = `id, tenant_id, name, provider, config, credentials_sealed is not null as has_credentials, priority, schedule,
  tombstone_threshold, status, last_message, last_tested_at`;

type Row = {
  id: string; tenant_id: string; name: string; provider: string; config: Record<string, unknown>; has_credentials: boolean; priority: number;
  schedule: string | null; tombstone_threshold: number; status: ConnectionStatus; last_message: string | null; last_tested_at: Date | null;
};

const toConnection = (r: Row): Connection => ({
  id: r.id, tenant: r.tenant_id, name: r.name, provider: r.provider, config: r.config, hasCredentials: r.has_credentials, priority: r.priority,
  schedule: r.schedule, tombstoneThreshold: Number(r.tombstone_threshold), status: r.status, lastMessage: r.last_message, lastTestedAt: r.last_tested_at,
});

/**
 * Saves a connection. Its settings and credentials are checked against the provider's schemas;
 * the credentials are sealed with the server's key ring, and without a key the connection is
 * refused rather than stored in clear.
 */
export async function createConnection(knex: Knex, input: z.input<typeof NewConnection>, keyRing: KeyRing | undefined): Promise<Connection> {
  const c = parseInput(NewConnection, input, 'connection');
  if (!keyRing) {
    throw new RollcallError('invalid_input', 'Connections hold upstream credentials, which are stored encrypted: set ROLLCALL_SECRET_KEY (see docs/operations.md) and try again');
  }
  const connector = connectorFor(c.provider);
  const config = parseInput(connector.configSchema, c.config, `${connector.label} settings`);
  const credentials = parseInput(connector.credentialsSchema, c.credentials, `${connector.label} credentials`);
  await requireTenant(knex, c.tenant);
  const id = c.id ?? `conn_${randomBytes(6).toString('base64url')}`;
  const res = await knex.raw(
    `insert into connections (id, tenant_id, name, provider, config, credentials_sealed, priority, schedule, tombstone_threshold)
     values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?) on conflict (id) do nothing returning ${COLUMNS}`,
    [id, c.tenant, c.name, c.provider, JSON.stringify(config), keyRing.seal(JSON.stringify(credentials)), c.priority, c.schedule, c.tombstoneThreshold],
  );
  if (!res.rows.length) throw new RollcallError('conflict', `A connection with id "${id}" already exists`);
  return toConnection(res.rows[0]);
}

export async function listConnections(knex: Knex, tenant?: string): Promise<Connection[]> {
  const res = tenant
    ? await knex.raw(`select ${COLUMNS} from connections where tenant_id = ? order by id`, [tenant])
    : await knex.raw(`select ${COLUMNS} from connections order by tenant_id, id`);
  return res.rows.map(toConnection);
}

export async function getConnection(knex: Knex, id: string): Promise<Connection> {
  const row = (await knex.raw(`select ${COLUMNS} from connections where id = ?`, [id])).rows[0];
  if (!row) throw new RollcallError('not_found', `No connection "${id}"`);
  return toConnection(row);
}

/** The connection's credentials, opened for the duration of a run or a test. */
export async function openCredentials(knex: Knex, id: string, keyRing: KeyRing | undefined): Promise<unknown> {
  const row = (await knex.raw('select credentials_sealed from connections where id = ?', [id])).rows[0] as { credentials_sealed: string | null } | undefined;
  if (!row?.credentials_sealed) return {};
  if (!keyRing) throw new RollcallError('invalid_input', 'This connection\'s credentials are sealed, and ROLLCALL_SECRET_KEY is not set: set it to the key they were saved with');
  return JSON.parse(keyRing.open(row.credentials_sealed));
}

export async function setConnectionStatus(knex: Knex, id: string, status: ConnectionStatus, message: string | null): Promise<void> {
  await knex.raw(
    `update connections set status = ?, last_message = ?, updated_at = now()${status === 'testing' ? '' : ', last_tested_at = now()'} where id = ?`,
    [status, message, id],
  );
}
