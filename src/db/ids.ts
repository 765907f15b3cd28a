import { randomUUID } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): crypto.randomUUID with the first 48 bits replaced by the time in ms.
 * Time-ordered keys put a batch's entries side by side at the right edge of every index on
 * an id; random v4 keys touch a different index page per row, and after each checkpoint
 * every touched page is logged whole: 3.3 GB of WAL instead of 0.65 GB for 20k seeded
 * customers. Used for the high-volume rows: seeded data and ingested interactions.
 */
export function uuidV7(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`;
}
