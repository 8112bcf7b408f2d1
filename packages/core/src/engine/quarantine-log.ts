import type { QuarantineEntry } from '../ports/store.js';
import type { EngineContext } from './context.js';

/**
 * How often a record that is still malformed, unchanged, is logged again. Every sync of its
 * window meets it again: a row per sync (every few minutes from cron or webhooks) buried the
 * log and kept as many copies of what the PMS sent. Once a day keeps it visible inside the
 * log's retention for as long as the PMS still sends it.
 */
export const QUARANTINE_RELOG_MS = 86_400_000;

/** Newest quarantine rows read to find a record's last entry (only for pages that have any). */
const RECENT_ROWS = 1_000;

const keyOf = (q: QuarantineEntry) => (q.recordId === null ? undefined : `${q.source}\u0000${q.recordId}`);

/**
 * The entries worth a new row: a record without an id, a record not logged in the last day,
 * or one whose reason or raw payload changed since. (A record whose last row is beyond the
 * newest `RECENT_ROWS` is logged again: at worst a row too many, never one too few.)
 */
export async function newQuarantineRows(
  ctx: EngineContext,
  propertyId: string,
  entries: QuarantineEntry[],
  now: Date,
): Promise<QuarantineEntry[]> {
  if (!entries.some((e) => keyOf(e) !== undefined)) return entries;
  const last = new Map<string, QuarantineEntry>();
  // Newest first: the first row of a key is its last entry.
  for (const row of await ctx.store.listQuarantine({ propertyId, limit: RECENT_ROWS })) {
    const key = keyOf(row);
    if (key !== undefined && !last.has(key)) last.set(key, row);
  }
  return entries.filter((e) => {
    const key = keyOf(e);
    const before = key === undefined ? undefined : last.get(key);
    return !(
      before &&
      before.reason === e.reason &&
      before.raw === e.raw &&
      now.getTime() - before.at.getTime() < QUARANTINE_RELOG_MS
    );
  });
}
