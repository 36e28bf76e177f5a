import type { Knex } from 'knex';
import { z } from 'zod';
import { RollcallError, conflict } from '../errors.js';
import { parseInput } from './input.js';
import { requireTenant } from './require-tenant.js';
import { hashSecret, randomSecret, verifySecret } from './secrets.js';
import { revokeTokens } from './tokens.js';

/** The id of the admin `serve` keeps when ROLLCALL_ADMIN_SECRET is set. */
export const BOOTSTRAP_ADMIN_ID = 'admin';

export const NewAdmin = z.object({
  name: z.string().min(1).max(200),
  /** The one tenant this admin manages; null (or absent) = every tenant. */
  tenant: z.string().min(1).nullable().default(null),
  adminId: z.string().regex(/^[A-Za-z0-9._~-]{3,128}$/, 'admin id: 3-128 characters of A-Z a-z 0-9 . _ ~ -').optional(),
  secret: z.string().min(16, 'admin secret: at least 16 characters').max(256).optional(),
});

export type Admin = { adminId: string; name: string; tenant: string | null; disabled: boolean; createdAt: Date };

const COLUMNS = 'admin_id, name, tenant_id, disabled, created_at';
type AdminRow = { admin_id: string; name: string; tenant_id: string | null; disabled: boolean; created_at: Date };

/** Creates an admin; the secret is returned this once and stored only as a scrypt hash. */
export async function createAdmin(knex: Knex, input: z.input<typeof NewAdmin>): Promise<{ admin: Admin; secret: string }> {
  const a = parseInput(NewAdmin, input, 'admin');
  if (a.tenant !== null) await requireTenant(knex, a.tenant);
  const adminId = a.adminId ?? `adm_${randomSecret(12)}`;
  const secret = a.secret ?? randomSecret(32);
  const res = await knex.raw(
    `insert into admins (admin_id, name, tenant_id, secret_hash) values (?, ?, ?, ?) on conflict (admin_id) do nothing returning ${COLUMNS}`,
    [adminId, a.name, a.tenant, await hashSecret(secret)],
  );
  if (res.rows.length === 0) throw conflict(`an admin with id "${adminId}" already exists`, { adminId });
  return { admin: toAdmin(res.rows[0]), secret };
}

export async function listAdmins(knex: Knex): Promise<Admin[]> {
  return (await knex.raw(`select ${COLUMNS} from admins order by admin_id`)).rows.map(toAdmin);
}

/** The admin, or undefined. */
export async function findAdmin(knex: Knex, adminId: string): Promise<Admin | undefined> {
  const row = (await knex.raw(`select ${COLUMNS} from admins where admin_id = ?`, [adminId])).rows[0];
  return row && toAdmin(row);
}

/** Disables an admin and revokes its tokens at once. */
export function disableAdmin(knex: Knex, adminId: string): Promise<Admin> {
  return knex.transaction(async (trx) => {
    const row = (await trx.raw(`update admins set disabled = true where admin_id = ? returning ${COLUMNS}`, [adminId])).rows[0];
    if (!row) throw new RollcallError('not_found', `no admin with id "${adminId}"`, { adminId });
    await revokeTokens(trx, 'admin', adminId);
    return toAdmin(row);
  });
}

/** The enabled admin whose secret this is, or undefined (unknown id, wrong secret, disabled). */
export async function verifyAdmin(knex: Knex, adminId: string, secret: string): Promise<Admin | undefined> {
  const row = (await knex.raw(`select ${COLUMNS}, secret_hash from admins where admin_id = ?`, [adminId])).rows[0];
  // Hash even for an unknown id, so the answer's timing does not tell which ids exist.
  const ok = await verifySecret(secret, row?.secret_hash ?? (await dummyHash()));
  return row && ok && !row.disabled ? toAdmin(row) : undefined;
}

/**
 * Keeps the all-tenant admin `admin` with this secret: creates it, or replaces its hash (revoking
 * tokens issued under the old secret) when the secret no longer verifies. A disabled bootstrap
 * admin stays disabled.
 */
export async function ensureBootstrapAdmin(knex: Knex, secret: string): Promise<{ admin: Admin; action: 'created' | 'updated' | 'unchanged' }> {
  parseInput(z.string().min(16, 'at least 16 characters'), secret, 'admin secret');
  const hash = await hashSecret(secret);
  const inserted = await knex.raw(
    `insert into admins (admin_id, name, tenant_id, secret_hash) values (?, 'Bootstrap admin', null, ?) on conflict (admin_id) do nothing returning ${COLUMNS}`,
    [BOOTSTRAP_ADMIN_ID, hash],
  );
  if (inserted.rows.length > 0) return { admin: toAdmin(inserted.rows[0]), action: 'created' };
  const row = (await knex.raw(`select ${COLUMNS}, secret_hash from admins where admin_id = ?`, [BOOTSTRAP_ADMIN_ID])).rows[0];
  if ((await verifySecret(secret, row.secret_hash)) && row.tenant_id === null) return { admin: toAdmin(row), action: 'unchanged' };
  return knex.transaction(async (trx) => {
    const updated = await trx.raw(`update admins set secret_hash = ?, tenant_id = null where admin_id = ? returning ${COLUMNS}`, [hash, BOOTSTRAP_ADMIN_ID]);
    await revokeTokens(trx, 'admin', BOOTSTRAP_ADMIN_ID);
    return { admin: toAdmin(updated.rows[0]), action: 'updated' as const };
  });
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashSecret(randomSecret(16)));

function toAdmin(r: AdminRow): Admin {
  return { adminId: r.admin_id, name: r.name, tenant: r.tenant_id, disabled: r.disabled, createdAt: r.created_at };
}
