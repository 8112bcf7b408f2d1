import {
  type Logger,
  PermanentError,
  Redactor,
  TransientError,
  ValidationError,
  type WriteBackItem,
  type WriteBackResult,
} from '@brafa/core';
import { z } from 'zod';
import { BEDS24_STATUSES, type Beds24Client } from '../client/client.js';
import { type BookingWrite, type InfoItem, infoItemSchema, type PostResponse } from '../client/wire.js';
import { type InfoItemPlan, planInfoItems } from './info-items.js';

export interface WriteBackDeps {
  client: Beds24Client;
  beds24PropertyId: number;
  code: string;
  formatText: (item: WriteBackItem) => string;
  writeBatchSize: number;
  readBatchSize: number;
  logger: Logger;
}

interface Pending {
  bookingId: number;
  item: WriteBackItem;
  plan: InfoItemPlan;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The current records of these bookings with their info items (cancelled ones too). */
const writeTargetSchema = z.object({
  id: z.number().int(),
  propertyId: z.number().int().optional(),
  infoItems: z.array(z.unknown()).optional(),
});
type WriteTarget = { id: number; propertyId?: number | undefined; infoItems: InfoItem[] };

async function readBookings(deps: WriteBackDeps, ids: number[]): Promise<Map<number, WriteTarget>> {
  const out = new Map<number, WriteTarget>();
  for (const chunk of chunks(ids, deps.readBatchSize)) {
    const pages = deps.client.getBookings({
      id: chunk,
      propertyId: [deps.beds24PropertyId],
      status: BEDS24_STATUSES,
      includeInfoItems: true,
    });
    for await (const page of pages) {
      for (const raw of page.data) {
        const record = writeTargetSchema.safeParse(raw);
        if (!record.success) continue;
        // Items we cannot address by id are skipped: they can be neither ours nor modified.
        const infoItems = (record.data.infoItems ?? []).flatMap((i) => {
          const item = infoItemSchema.safeParse(i);
          return item.success ? [item.data] : [];
        });
        out.set(record.data.id, { ...record.data, infoItems });
      }
    }
  }
  return out;
}

function itemFailure(response: PostResponse[number] | undefined, item: WriteBackItem): Error | null {
  if (!response) {
    return new TransientError(`Beds24 POST /bookings returned no result for booking ${item.bookingId}`);
  }
  const errors = response.errors ?? [];
  if (response.success !== false && errors.length === 0) return null;
  // Beds24 may echo the text we sent; the passcode must not reach an error message.
  const redactor = new Redactor([item.passcode]);
  const detail =
    errors.map((e) => [e.field, e.message].filter(Boolean).join(': ')).join('; ') || 'success=false';
  return new PermanentError(
    `Beds24 rejected the info-item write for booking ${item.bookingId}: ${redactor.text(detail)} (it may be partly applied; the next attempt re-reads first)`,
  );
}

/**
 * Read → plan → write, per batch (beds24.md §5.1). The POST is never retried here: a failed
 * or lost response fails the item (transient), and the engine's retry starts with a fresh
 * read, so an info item is modified by id instead of being added twice.
 */
export async function writeBackInfoItems(
  items: WriteBackItem[],
  deps: WriteBackDeps,
): Promise<WriteBackResult[]> {
  const results = new Map<WriteBackItem, WriteBackResult>();
  // The last item for a booking wins; earlier ones share its result.
  const latest = new Map<number, WriteBackItem>();
  for (const item of items) {
    const id = Number(item.externalIds.beds24BookingId ?? item.bookingId);
    if (!Number.isSafeInteger(id) || id <= 0) {
      results.set(item, {
        bookingId: item.bookingId,
        ok: false,
        error: new ValidationError('bookingId', `not a Beds24 booking id: ${item.bookingId}`),
      });
      continue;
    }
    if (item.action === 'upsert' && !item.passcode) {
      results.set(item, {
        bookingId: item.bookingId,
        ok: false,
        error: new ValidationError('passcode', `upsert for booking ${item.bookingId} has no passcode`),
      });
      continue;
    }
    latest.set(id, item);
  }

  const byItem = new Map<WriteBackItem, WriteBackResult>();
  type Outcome = { ok: true; ref: string | null } | { ok: false; error: Error };
  const settle = (item: WriteBackItem, outcome: Outcome) =>
    byItem.set(item, { bookingId: item.bookingId, ...outcome });

  let current: Map<number, WriteTarget> | undefined;
  try {
    current = latest.size > 0 ? await readBookings(deps, [...latest.keys()]) : new Map();
  } catch (error) {
    for (const item of latest.values()) settle(item, { ok: false, error: error as Error });
  }

  const pending: Pending[] = [];
  if (current) {
    for (const [bookingId, item] of latest) {
      const record = current.get(bookingId);
      if (!record) {
        if (item.action === 'delete') settle(item, { ok: true, ref: null });
        else settle(item, { ok: false, error: new PermanentError(`Beds24 booking ${bookingId} not found`) });
        continue;
      }
      const known = item.ref && /^\d+$/.test(item.ref) ? Number(item.ref) : null;
      const want =
        item.action === 'delete'
          ? ({ action: 'delete' } as const)
          : ({ action: 'upsert', text: deps.formatText(item) } as const);
      const plan = planInfoItems(record.infoItems ?? [], deps.code, want, known);
      if (plan.writes.length === 0)
        settle(item, { ok: true, ref: plan.ref === null ? null : String(plan.ref) });
      else pending.push({ bookingId, item, plan });
    }
  }

  const added: Pending[] = [];
  for (const batch of chunks(pending, deps.writeBatchSize)) {
    const body: BookingWrite[] = batch.map((p) => ({ id: p.bookingId, infoItems: p.plan.writes }));
    let response: PostResponse;
    try {
      response = await deps.client.postBookings(body);
    } catch (error) {
      for (const p of batch) settle(p.item, { ok: false, error: error as Error });
      continue;
    }
    batch.forEach((p, i) => {
      const failure = itemFailure(response[i], p.item);
      if (failure) settle(p.item, { ok: false, error: failure });
      else if (p.plan.ref === null && p.item.action === 'upsert') added.push(p);
      else settle(p.item, { ok: true, ref: p.plan.ref === null ? null : String(p.plan.ref) });
    });
  }

  // A fresh add does not report the new item's id; read it back so the engine keeps a ref.
  if (added.length > 0) {
    let after: Map<number, WriteTarget> | undefined;
    try {
      after = await readBookings(
        deps,
        added.map((p) => p.bookingId),
      );
    } catch (error) {
      deps.logger.warn('Beds24 info items written but not re-read; refs stay unknown', {
        error: (error as Error).message,
      });
    }
    for (const p of added) {
      const item = after?.get(p.bookingId)?.infoItems?.find((i) => i.code === deps.code);
      settle(p.item, { ok: true, ref: item ? String(item.id) : null });
    }
  }

  for (const item of items) {
    if (results.has(item)) continue;
    const id = Number(item.externalIds.beds24BookingId ?? item.bookingId);
    const winner = latest.get(id);
    const result = winner ? byItem.get(winner) : undefined;
    results.set(
      item,
      result
        ? { ...result, bookingId: item.bookingId }
        : {
            bookingId: item.bookingId,
            ok: false,
            error: new TransientError('Beds24 write-back did not run'),
          },
    );
  }
  return items.map((item) => results.get(item)!);
}
