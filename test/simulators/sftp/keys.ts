import { createHash, generateKeyPairSync } from 'node:crypto';
import ssh2 from 'ssh2';

/** OpenSSH's fingerprint of a public key blob: `SHA256:` + unpadded base64. */
export function fingerprintOf(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** An SSH key pair made with node:crypto: the private key as PKCS#1 PEM (what ssh2 reads), its public key as an OpenSSH line. */
export function generateSshKey(opts: { passphrase?: string; bits?: number } = {}): { privateKey: string; publicKey: string; fingerprint: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: opts.bits ?? 2048,
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
    privateKeyEncoding: opts.passphrase
      ? { type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: opts.passphrase }
      : { type: 'pkcs1', format: 'pem' },
  });
  const parsed = ssh2.utils.parseKey(privateKey, opts.passphrase);
  if (parsed instanceof Error) throw parsed;
  const blob = parsed.getPublicSSH();
  return { privateKey, publicKey: `${parsed.type} ${blob.toString('base64')}`, fingerprint: fingerprintOf(blob) };
}
