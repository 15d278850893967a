import { createHash } from 'node:crypto';

/**
 * A short, stable, non-reversible name for a key (first 12 hex digits of its SHA-256), for logs, maps and
 * the simulator's call record: two calls with the same key share a fingerprint, the key itself never shows.
 */
export function keyFingerprint(key: string): string {
  if (key === '') return 'none';
  return `key:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)}`;
}
