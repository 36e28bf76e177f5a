import { hash } from 'node:crypto';

/**
 * The content hash stored with a record: MD5 of its canonical JSON, base64. A write is skipped when
 * the hash, status and source are unchanged. MD5 detects change here; it guards nothing secret.
 * The one-shot crypto.hash costs half of createHash().update().digest() per record.
 */
export function contentHash(canonicalJson: string): string {
  return hash('md5', canonicalJson, 'base64');
}
