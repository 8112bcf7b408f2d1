import type { WriteBackItem } from '@brafa/core';
import type { MewsClient } from '../client/client.js';
import { chunk, formatUtc } from '../client/paging.js';
import { resourceIdOf, serviceOrderIdOf, type UpsertTarget } from './plan.js';

/** Our notes start with this; anything else on the reservation is staff's and left alone. */
export const NOTE_PREFIX = 'BRAFA PIN ';

/** `BRAFA PIN 4821 | Valid 2026-04-25T15:00:00Z -> 2026-04-27T11:00:00Z | Resource 204` */
export function noteText(item: WriteBackItem, target: UpsertTarget): string {
  const resource = item.unitName ?? resourceIdOf(item) ?? '-';
  return `${NOTE_PREFIX}${target.passcode} | Valid ${formatUtc(target.validFrom)} -> ${formatUtc(target.validTo)} | Resource ${resource}`;
}

export interface NoteWork {
  item: WriteBackItem;
  /** null: remove our note. */
  target: UpsertTarget | null;
}

/**
 * Mirror the PIN into a service-order note for staff. The token stays the source of truth;
 * the note is found by its prefix and upserted, so repeats never stack notes. Returns the
 * booking ids whose note could not be written, with the error.
 */
export async function mirrorNotes(client: MewsClient, work: NoteWork[]): Promise<Map<string, Error>> {
  const failed = new Map<string, Error>();
  for (const part of chunk(work)) {
    try {
      const notes = await client.serviceOrderNotes(part.map((w) => serviceOrderIdOf(w.item)));
      const ours = new Map<string, { Id: string; Text: string }[]>();
      for (const n of notes) {
        if (!n.Text?.startsWith(NOTE_PREFIX)) continue;
        ours.set(n.OrderId, [...(ours.get(n.OrderId) ?? []), { Id: n.Id, Text: n.Text }]);
      }
      const adds: Array<{ ServiceOrderId: string; Text: string }> = [];
      const updates: Array<{ ServiceOrderNoteId: string; Text: { Value: string } }> = [];
      const deletes: string[] = [];
      for (const { item, target } of part) {
        const existing = ours.get(serviceOrderIdOf(item)) ?? [];
        if (!target) {
          deletes.push(...existing.map((n) => n.Id));
          continue;
        }
        const text = noteText(item, target);
        const [first, ...extra] = existing;
        deletes.push(...extra.map((n) => n.Id));
        if (!first) adds.push({ ServiceOrderId: serviceOrderIdOf(item), Text: text });
        else if (first.Text !== text) updates.push({ ServiceOrderNoteId: first.Id, Text: { Value: text } });
      }
      if (deletes.length) for (const ids of chunk(deletes)) await client.deleteServiceOrderNotes(ids);
      if (updates.length) await client.updateServiceOrderNotes(updates);
      if (adds.length) await client.addServiceOrderNotes(adds);
    } catch (error) {
      for (const w of part)
        failed.set(w.item.bookingId, error instanceof Error ? error : new Error(String(error)));
    }
  }
  return failed;
}
