import { z } from 'zod';

/** OpenSSH's fingerprint form, `SHA256:` + unpadded base64 of the key blob's SHA-256 (the prefix and padding are optional here). */
const FINGERPRINT = /^(SHA256:)?[A-Za-z0-9+/]{43}=?$/;

/**
 * Where a district drops its nightly OneRoster CSV package. Stored in clear in the connection.
 * `path` is a local folder (folder transport) or a remote directory (sftp, relative to the login
 * folder unless it starts with `/`).
 */
export const CsvDropConfig = z
  .object({
    transport: z.enum(['folder', 'sftp']),
    path: z.string().min(1),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1).optional(),
    /**
     * Which entry of `path` to take (a glob over names: `*` and `?`, case-insensitive), the newest
     * matching zip or folder. Default: the folder itself when it holds manifest.csv, else the newest `*.zip`.
     */
    pattern: z.string().min(1).max(200).optional(),
    /** Pins the SFTP server's host key (as `ssh-keygen -lf` prints it): a different key is refused. */
    hostKeySha256: z.string().trim().regex(FINGERPRINT, 'must be a SHA256 fingerprint like SHA256:Ab3…(43 characters), as ssh-keygen -l prints it').optional(),
    /** How long to wait for the server to answer (login, listing, each stretch of a download). */
    timeoutSeconds: z.number().int().min(1).max(600).default(30),
  })
  .superRefine((c, ctx) => {
    if (c.transport !== 'sftp') return;
    if (!c.host) ctx.addIssue({ code: 'custom', path: ['host'], message: 'is required for the sftp transport' });
    if (!c.username) ctx.addIssue({ code: 'custom', path: ['username'], message: 'is required for the sftp transport' });
  });

export type CsvDropConfig = z.output<typeof CsvDropConfig>;

/** Sealed at rest; the sftp transport needs a password or a private key (OpenSSH or PEM, with its passphrase if it has one). */
export const CsvDropCredentials = z.object({
  password: z.string().min(1).optional(),
  privateKey: z.string().min(1).optional(),
  passphrase: z.string().min(1).optional(),
});

export type CsvDropCredentials = z.output<typeof CsvDropCredentials>;

/** `SHA256:abc…` without base64 padding, whatever form the admin pasted. */
export function normalizeFingerprint(f: string): string {
  return `SHA256:${f.trim().replace(/^SHA256:/, '').replace(/=+$/, '')}`;
}
