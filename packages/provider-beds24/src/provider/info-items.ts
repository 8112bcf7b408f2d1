import type { InfoItem, InfoItemWrite } from '../client/wire.js';

export interface InfoItemPlan {
  /** Info-item writes for this booking; empty when Beds24 already shows the wanted state. */
  writes: InfoItemWrite[];
  /** The id of our item after the writes, when known (unknown for a fresh add). */
  ref: number | null;
}

/**
 * What to send so a booking ends with exactly one info item `code` holding `text` (upsert)
 * or none (delete), given the items Beds24 holds now (beds24.md §5.1). Items are addressed by
 * their id: an item without id is always *added*, so a write decided from a fresh read can
 * be retried after a re-read without ever creating a duplicate.
 */
export function planInfoItems(
  existing: readonly InfoItem[],
  code: string,
  want: { action: 'upsert'; text: string } | { action: 'delete' },
  /** The id we were told last time; preferred as "ours" among duplicates. */
  knownRef: number | null,
): InfoItemPlan {
  const ours = existing
    .filter((item) => item.code === code)
    .sort((a, b) => Number(b.id === knownRef) - Number(a.id === knownRef) || a.id - b.id);
  if (want.action === 'delete') return { writes: ours.map((item) => ({ id: item.id })), ref: null };

  const [keep, ...extra] = ours;
  // Earlier duplicates (someone else's blind retries) are removed by id.
  const writes: InfoItemWrite[] = extra.map((item) => ({ id: item.id }));
  if (!keep) return { writes: [{ code, text: want.text }, ...writes], ref: null };
  if (keep.text !== want.text) writes.unshift({ id: keep.id, code, text: want.text });
  return { writes, ref: keep.id };
}
