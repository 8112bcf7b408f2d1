import { createHash } from 'node:crypto';

/** TTLock wants the app password as 32 lowercase hex MD5 characters (sciener.md §4.1). */
export function md5Hex(value: string): string {
  return createHash('md5').update(value, 'utf8').digest('hex');
}
