import {
  type Logger,
  Redactor,
  TransientError,
  ValidationError,
  type WriteBackItem,
  type WriteBackResult,
} from '@brafa/core';
import type {
  MewsClient,
  ResourceAccessTokenParameters,
  ResourceAccessTokenUpdate,
} from '../client/client.js';
import { chunk } from '../client/paging.js';
import type { ResourceAccessToken } from '../client/schemas.js';
import { mirrorNotes, type NoteWork } from './notes.js';
import {
  decideDelete,
  decideUpsert,
  serviceOrderIdOf,
  type TokenPermissions,
  type UpsertTarget,
} from './plan.js';

export interface WriteBackDeps {
  client: MewsClient;
  permissions: TokenPermissions;
  notes: boolean;
  logger: Logger;
}

type Outcome = { ok: true; ref: string | null } | { ok: false; error: Error };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** A PIN echoed back in a MEWS message must not travel on in an error. */
function scrub(error: Error, redactor: Redactor): Error {
  error.message = redactor.text(error.message);
  return error;
}

function targetOf(item: WriteBackItem): UpsertTarget | Error {
  if (!item.passcode) return new ValidationError('passcode', 'is required for an upsert');
  if (item.passcode.length > 255)
    return new ValidationError('passcode', 'MEWS accepts at most 255 characters');
  if (!item.validFrom || !item.validTo)
    return new ValidationError('validFrom', 'validity is required for an upsert');
  if (item.validTo.getTime() <= item.validFrom.getTime()) {
    return new ValidationError('validTo', 'must be after validFrom');
  }
  return { passcode: item.passcode, validFrom: item.validFrom, validTo: item.validTo };
}

/**
 * Idempotent write-back (reference §9.6): read the tokens of every service order in the
 * chunk with one `getAll`, then delete (room moves, revocations), update, and add in at
 * most one call each. A failing call fails only the items it carried; `add` is never
 * re-sent blindly, the next run re-reads first.
 */
export async function writeBack(items: WriteBackItem[], deps: WriteBackDeps): Promise<WriteBackResult[]> {
  const redactor = new Redactor(items.map((i) => i.passcode));
  // One decision per booking: a later item for the same booking supersedes an earlier one.
  const latest = new Map<string, WriteBackItem>();
  for (const item of items) latest.set(item.bookingId, item);
  const outcomes = new Map<string, Outcome>();
  const targets = new Map<string, UpsertTarget>();
  const valid: WriteBackItem[] = [];
  for (const item of latest.values()) {
    if (item.action === 'upsert') {
      const target = targetOf(item);
      if (target instanceof Error) {
        outcomes.set(item.bookingId, { ok: false, error: target });
        continue;
      }
      targets.set(item.bookingId, target);
    }
    valid.push(item);
  }

  for (const part of chunk(valid)) {
    await writeChunk(part, targets, deps, outcomes, redactor);
  }

  if (deps.notes) {
    const work: NoteWork[] = valid
      .filter((i) => outcomes.get(i.bookingId)?.ok)
      .map((item) => ({ item, target: item.action === 'upsert' ? targets.get(item.bookingId)! : null }));
    const failed = await mirrorNotes(deps.client, work);
    for (const [bookingId, error] of failed) {
      if (error instanceof TransientError) {
        // The token is written; failing the item makes the engine retry, and the retry is a no-op for the token.
        outcomes.set(bookingId, { ok: false, error: scrub(error, redactor) });
      } else {
        deps.logger.warn('MEWS note mirror failed; the access token is written', {
          bookingId,
          error: redactor.text(error.message),
        });
      }
    }
  }

  return items.map((item): WriteBackResult => {
    const o: Outcome = outcomes.get(item.bookingId) ?? {
      ok: false,
      error: new TransientError(`MEWS write-back did not process booking ${item.bookingId}`),
    };
    return o.ok
      ? { bookingId: item.bookingId, ok: true, ref: o.ref }
      : { bookingId: item.bookingId, ok: false, error: o.error };
  });
}

async function writeChunk(
  part: WriteBackItem[],
  targets: Map<string, UpsertTarget>,
  deps: WriteBackDeps,
  outcomes: Map<string, Outcome>,
  redactor: Redactor,
): Promise<void> {
  const fail = (list: WriteBackItem[], error: unknown) => {
    const e = scrub(asError(error), redactor);
    for (const i of list) outcomes.set(i.bookingId, { ok: false, error: e });
  };
  let tokens: ResourceAccessToken[];
  try {
    tokens = await deps.client.resourceAccessTokens(part.map(serviceOrderIdOf));
  } catch (error) {
    fail(part, error);
    return;
  }
  const byOrder = new Map<string, ResourceAccessToken[]>();
  for (const t of tokens) byOrder.set(t.ServiceOrderId, [...(byOrder.get(t.ServiceOrderId) ?? []), t]);

  const deletes: Array<{ item: WriteBackItem; ids: string[] }> = [];
  const updates: Array<{ item: WriteBackItem; update: ResourceAccessTokenUpdate }> = [];
  const adds: Array<{ item: WriteBackItem; add: ResourceAccessTokenParameters }> = [];
  let unchanged = 0;
  for (const item of part) {
    const own = byOrder.get(serviceOrderIdOf(item)) ?? [];
    if (item.action === 'delete') {
      const ids = decideDelete(item, own);
      outcomes.set(item.bookingId, { ok: true, ref: null });
      if (ids.length) deletes.push({ item, ids });
      continue;
    }
    const d = decideUpsert(item, targets.get(item.bookingId)!, own, deps.permissions);
    if (d.deletes.length) deletes.push({ item, ids: d.deletes });
    if (d.add) adds.push({ item, add: d.add });
    else if (d.update) updates.push({ item, update: d.update });
    else unchanged++;
    outcomes.set(item.bookingId, { ok: true, ref: d.tokenId });
  }

  // Deletes first: a room move must not leave two PINs for one stay, and an add after a
  // failed delete would do exactly that, so an item whose delete failed stops there.
  const blocked = new Set<string>();
  for (const group of chunkGroups(deletes)) {
    try {
      await deps.client.deleteResourceAccessTokens(group.flatMap((g) => g.ids));
    } catch (error) {
      fail(
        group.map((g) => g.item),
        error,
      );
      for (const g of group) blocked.add(g.item.bookingId);
    }
  }
  const pendingUpdates = updates.filter((u) => !blocked.has(u.item.bookingId));
  if (pendingUpdates.length) {
    try {
      await deps.client.updateResourceAccessTokens(pendingUpdates.map((u) => u.update));
    } catch (error) {
      fail(
        pendingUpdates.map((u) => u.item),
        error,
      );
    }
  }
  const pendingAdds = adds.filter((a) => !blocked.has(a.item.bookingId));
  if (pendingAdds.length) {
    try {
      const added = await deps.client.addResourceAccessTokens(pendingAdds.map((a) => a.add));
      const byOrderAdded = new Map(added.map((t) => [t.ServiceOrderId, t.Id]));
      for (const { item, add } of pendingAdds) {
        const id = byOrderAdded.get(add.ServiceOrderId);
        outcomes.set(
          item.bookingId,
          id
            ? { ok: true, ref: id }
            : {
                ok: false,
                error: new TransientError(
                  `MEWS resourceAccessTokens/add returned no token for service order ${add.ServiceOrderId}`,
                ),
              },
        );
      }
    } catch (error) {
      fail(
        pendingAdds.map((a) => a.item),
        error,
      );
    }
  }
  deps.logger.info('MEWS access tokens written', {
    read: tokens.length,
    deleted: deletes.reduce((n, d) => n + d.ids.length, 0),
    updated: pendingUpdates.length,
    added: pendingAdds.length,
    unchanged,
  });
}

/** Group delete work so each call carries at most 1,000 token ids. */
function chunkGroups(groups: Array<{ item: WriteBackItem; ids: string[] }>) {
  const out: Array<Array<{ item: WriteBackItem; ids: string[] }>> = [];
  let current: Array<{ item: WriteBackItem; ids: string[] }> = [];
  let size = 0;
  for (const g of groups) {
    if (size + g.ids.length > 1000 && current.length) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(g);
    size += g.ids.length;
  }
  if (current.length) out.push(current);
  return out;
}
