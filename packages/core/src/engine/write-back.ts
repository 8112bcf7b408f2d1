import { createHash } from 'node:crypto';
import type { AccessCode, BookingRecord } from '../domain/schemas.js';
import { describeError, isTransient, TransientError } from '../errors/errors.js';
import { maskPasscode } from '../logging/redact.js';
import { LOCK_FULL_ISSUE } from '../planner/plan.js';
import type { PmsProvider, WriteBackItem } from '../ports/pms.js';
import type { Job, Store, WriteBackLog } from '../ports/store.js';
import type { EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import { requireProperty } from './plan-and-persist.js';

/**
 * Fingerprint of what the PMS shows (passcode + window + the unit it is for), so the same
 * state is written once. The unit matters: a room move that keeps the digits and dates must
 * still move the PMS record (a PMS may tie the PIN to a resource or a room).
 */
export function writeBackKey(passcode: string, validFrom: Date, validTo: Date, place = ''): string {
  return createHash('sha256')
    .update(`${passcode}|${validFrom.toISOString()}|${validTo.toISOString()}${place ? `|${place}` : ''}`)
    .digest('hex')
    .slice(0, 32);
}

/** Where a booking's PIN applies, as the PMS names it. */
function placeOf(booking: BookingRecord): string {
  if (booking.resourceId) return `resource:${booking.resourceId}`;
  return booking.roomId && booking.unitName ? `unit:${booking.roomId}/${booking.unitName}` : '';
}

type Desired =
  | { action: 'upsert'; key: string; passcode: string; validFrom: Date; validTo: Date }
  | { action: 'delete'; passcode: string | null }
  | { action: 'wait' }
  | { action: 'none' };

/** The digits of the code changed last (a stay's codes of one attempt share them), if any. */
function lastPasscode(codes: AccessCode[]): string | null {
  let last: AccessCode | undefined;
  for (const c of codes) if (!last || c.updatedAt.getTime() > last.updatedAt.getTime()) last = c;
  return last?.passcode ?? null;
}

/**
 * What the PMS should show for a booking: its passcode and window once every lock it needs
 * accepted it; nothing once it has no code left (delete what we wrote); and no change while
 * a lock operation is on its way or has failed — a guest must never be sent a PIN that a
 * door of theirs does not know (the failure is in `status` for an operator instead).
 */
export function desiredWriteBack(booking: BookingRecord, codes: AccessCode[]): Desired {
  const live = codes.filter((c) => c.state !== 'revoked' && c.state !== 'pending_revoke');
  // A failed write may still have reached the PMS (a lost reply): with no code left, make sure.
  // The digits the stay's doors had last go along: a write whose reply was lost left no ref,
  // and the stay may have left the room it was written for, so they are how the provider
  // recognises it.
  if (live.length === 0)
    return booking.writeBackKey || booking.writeBackError
      ? { action: 'delete', passcode: lastPasscode(codes) }
      : { action: 'none' };
  // A door of the stay has no room for its code yet (the plan said so): its PIN would not open it.
  if (live.some((c) => c.state !== 'active') || booking.issue?.startsWith(LOCK_FULL_ISSUE))
    return { action: 'wait' };
  const first = live[0]!;
  if (
    live.some(
      (c) =>
        c.passcode !== first.passcode ||
        c.validFrom.getTime() !== first.validFrom.getTime() ||
        c.validTo.getTime() !== first.validTo.getTime(),
    )
  ) {
    return { action: 'wait' };
  }
  const key = writeBackKey(first.passcode, first.validFrom, first.validTo, placeOf(booking));
  if (key === booking.writeBackKey) return { action: 'none' };
  return {
    action: 'upsert',
    key,
    passcode: first.passcode,
    validFrom: first.validFrom,
    validTo: first.validTo,
  };
}

/** Write-back runs in flight per engine and property (see `runWriteBackJob`). */
const inFlight = new WeakMap<EngineContext, Map<string, Promise<void>>>();

/**
 * Write-backs of one property never overlap in this process. Two write-back jobs of a property
 * can both be due (a killed worker's expired one and a new one) and are then claimed together;
 * run at once, both would read "nothing written yet" and both add, and a PMS add is not
 * idempotent (two PINs in the PMS for one stay). The second waits, then sees the first's work.
 */
export async function runWriteBackJob(ctx: EngineContext, job: Job): Promise<void> {
  let running = inFlight.get(ctx);
  if (!running) {
    running = new Map();
    inFlight.set(ctx, running);
  }
  const previous = running.get(job.propertyId) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => underLease(ctx, job));
  running.set(job.propertyId, run);
  try {
    await run;
  } finally {
    if (running.get(job.propertyId) === run) running.delete(job.propertyId);
  }
}

/**
 * Across processes and machines, a store lease per property keeps two workers from writing
 * back the same property at once (a killed worker's expired job and a fresh one can be
 * claimed by different workers). A worker that finds the lease taken retries shortly.
 */
async function underLease(ctx: EngineContext, job: Job): Promise<void> {
  const key = `writeback:${job.propertyId}`;
  // Owned by the job, and for as long as the job's own lease: when a killed worker's job is
  // reclaimed, whoever reclaims it may take the write-back lease over at once.
  const owner = `job:${job.id}`;
  const now = ctx.clock.now();
  const until = job.leaseExpiresAt ?? new Date(now.getTime() + ctx.leaseMs);
  if (!(await ctx.store.acquireLease(key, owner, until, now))) {
    throw new TransientError(`write-back of property ${job.propertyId} is running in another worker`, {
      retryAfterMs: 2_000,
    });
  }
  // The job's lease is renewed while it runs (a PMS that is slow or rate-limits us), and this
  // one with it: a write-back that outlasts its first lease still keeps the property.
  let renewing: Promise<unknown> = Promise.resolve();
  const renewal = setInterval(
    () => {
      const at = ctx.clock.now();
      renewing = ctx.store
        .acquireLease(key, owner, new Date(at.getTime() + ctx.leaseMs), at)
        .then((held) => {
          if (!held)
            ctx.logger.warn('the write-back lease was taken over by another worker', {
              propertyId: job.propertyId,
            });
        })
        .catch((error: unknown) =>
          ctx.logger.warn('could not renew the write-back lease; it lapses with the job', {
            propertyId: job.propertyId,
            error: describeError(error),
          }),
        );
    },
    Math.max(1, Math.floor(ctx.leaseMs / 3)),
  );
  renewal.unref();
  try {
    await writeBackOnce(ctx, job);
  } finally {
    clearInterval(renewal);
    // A renewal still on its way would take the lease again after we gave it back.
    await renewing;
    await ctx.store.releaseLease(key, owner);
  }
}

/**
 * One write-back job per property: every booking whose PMS view is behind the locks is
 * written in one batched provider call — an upsert at most once per (booking, passcode,
 * window) state, a delete when its codes are gone. Providers that cannot write back are
 * reported once and skipped; there is no provider-specific branch here.
 */
async function writeBackOnce(ctx: EngineContext, job: Job): Promise<void> {
  const property = await requireProperty(ctx.store, job.propertyId);
  if (!property.enabled) return;
  const provider = ctx.provider(property);
  if (!provider?.writeBack || !provider.capabilities.writeBack) {
    const kind = provider?.kind ?? property.provider;
    if (!ctx.warnedNoWriteBack.has(property.id)) {
      ctx.warnedNoWriteBack.add(property.id);
      ctx.logger.info('provider cannot write back passcodes; skipping write-back', {
        propertyId: property.id,
        provider: kind,
      });
      ctx.emit({ type: 'writeback.unsupported', propertyId: property.id, provider: kind });
    }
    return;
  }

  const write = provider.writeBack.bind(provider);
  let retry: TransientError | undefined;
  const items: PendingItem[] = [];
  const send = async (batch: PendingItem[]) => {
    // Every chunk is sent: a failed one does not hold back the others (they are recorded).
    const failed = await writeBackChunk(ctx, property.id, write, batch);
    retry ??= failed;
  };
  // Page by page, so a large property's write-back holds one page of bookings and codes at a
  // time; items go out in chunks of WRITE_BACK_CHUNK as they accumulate across pages, so
  // paging adds no provider call.
  let after: string | undefined;
  for (;;) {
    const page = await pendingPage(ctx.store, property.id, after);
    if (!page) break;
    after = page.lastBookingId;
    items.push(...page.items);
    if (page.moot.length) {
      const now = ctx.clock.now();
      await ctx.store.transaction(async (tx) => {
        for (const bookingId of page.moot)
          await tx.updateBookingState(property.id, bookingId, { writeBackError: null }, now);
      });
    }
    while (items.length >= WRITE_BACK_CHUNK) await send(items.splice(0, WRITE_BACK_CHUNK));
    if (!page.more) break;
  }
  if (items.length) await send(items);
  // Succeeded items are recorded; throwing makes the job retry only what is still behind.
  if (retry) throw retry;
}

type PendingItem = { item: WriteBackItem; key: string | null };

interface PendingPage {
  /** What this page's bookings need written. */
  items: PendingItem[];
  /** Bookings whose recorded write-back error nothing needs any more. */
  moot: string[];
  lastBookingId: string;
  /** Whether a further page may follow. */
  more: boolean;
}

/**
 * The next page of a property's bookings (booking-id order, after `after`) with their live
 * codes, reduced to the write-back items they need. Only the items leave this function, so
 * the page's booking and code records are garbage before the provider call that follows
 * instead of living through it into V8's old generation (with the object literal below:
 * a 10,000-booking write-back kept 42 MB past young-generation collections instead of 73).
 */
async function pendingPage(
  store: Store,
  propertyId: string,
  after: string | undefined,
): Promise<PendingPage | undefined> {
  const bookings = await store.listBookings(propertyId, {
    limit: WRITE_BACK_CHUNK,
    ...(after === undefined ? {} : { afterBookingId: after }),
  });
  const last = bookings.at(-1);
  if (!last) return undefined;
  const codes = await store.listAccessCodes({ propertyId, bookingIds: bookings.map((b) => b.bookingId) });
  const byBooking = new Map<string, AccessCode[]>();
  for (const c of codes) {
    const list = byBooking.get(c.bookingId);
    if (list) list.push(c);
    else byBooking.set(c.bookingId, [c]);
  }
  const items: PendingItem[] = [];
  const moot: string[] = [];
  for (const booking of bookings) {
    if (!byBooking.has(booking.bookingId) && !booking.writeBackKey && !booking.writeBackError) continue;
    const want = desiredWriteBack(booking, byBooking.get(booking.bookingId) ?? []);
    // A failed write that nothing needs any more (the codes it carried came back to what the
    // PMS already shows) is no longer an error to report.
    if (want.action === 'none' && booking.writeBackError) moot.push(booking.bookingId);
    if (want.action === 'none' || want.action === 'wait') continue;
    const upsert = want.action === 'upsert';
    // One object literal per item: spreading a shared base object into each cost ~14 MB of
    // long-lived allocations in a 10,000-booking write-back.
    items.push({
      item: {
        propertyId,
        bookingId: booking.bookingId,
        resourceId: booking.resourceId,
        roomId: booking.roomId,
        unitName: booking.unitName,
        externalIds: booking.externalIds,
        ref: booking.writeBackRef,
        action: want.action,
        passcode: want.passcode,
        validFrom: upsert ? want.validFrom : null,
        validTo: upsert ? want.validTo : null,
      },
      key: upsert ? want.key : null,
    });
  }
  await addLastDigits(store, propertyId, items);
  return { items, moot, lastBookingId: last.bookingId, more: bookings.length === WRITE_BACK_CHUNK };
}

/**
 * A delete's digits come from the stay's revoked codes, which the live listing leaves out:
 * read them for the (few) deletes only.
 */
async function addLastDigits(store: Store, propertyId: string, items: PendingItem[]): Promise<void> {
  const deletes = items.filter((p) => p.item.action === 'delete' && p.item.passcode === null);
  if (deletes.length === 0) return;
  const codes = await store.listAccessCodes({
    propertyId,
    bookingIds: deletes.map((p) => p.item.bookingId),
    includeRevoked: true,
  });
  const byBooking = new Map<string, AccessCode[]>();
  for (const c of codes) byBooking.set(c.bookingId, [...(byBooking.get(c.bookingId) ?? []), c]);
  for (const p of deletes) p.item.passcode = lastPasscode(byBooking.get(p.item.bookingId) ?? []);
}

/**
 * Items per provider call: the largest batch any supported PMS takes in one call (1,000);
 * providers with smaller batches split further themselves. So chunking adds no call, while what a large
 * write-back holds in memory stays bounded and each chunk's outcome is stored as soon as it
 * is known (a crash half-way does not send the first chunks again).
 */
const WRITE_BACK_CHUNK = 1000;

/** One provider call and the stored outcome of its items; the first transient failure, if any. */
async function writeBackChunk(
  ctx: EngineContext,
  propertyId: string,
  write: NonNullable<PmsProvider['writeBack']>,
  items: PendingItem[],
): Promise<TransientError | undefined> {
  const results = await write(items.map((i) => i.item));
  const byId = new Map(results.map((r) => [r.bookingId, r]));
  const now = ctx.clock.now();
  const logs: WriteBackLog[] = [];
  const states: Array<{ bookingId: string; patch: Parameters<Store['updateBookingState']>[2] }> = [];
  const events: EngineEvent[] = [];
  let retry: TransientError | undefined;
  for (const { item, key } of items) {
    const result = byId.get(item.bookingId) ?? {
      bookingId: item.bookingId,
      ok: false as const,
      error: new TransientError('provider returned no result for this booking'),
    };
    const detail =
      item.action === 'upsert'
        ? `PIN ${maskPasscode(item.passcode ?? '')} valid ${item.validFrom?.toISOString()} -> ${item.validTo?.toISOString()}`
        : 'delete';
    if (result.ok) {
      states.push({
        bookingId: item.bookingId,
        patch: {
          writeBackKey: key,
          writeBackRef: item.action === 'delete' ? null : (result.ref ?? item.ref),
          writeBackError: null,
        },
      });
      logs.push({
        propertyId,
        bookingId: item.bookingId,
        action: item.action,
        at: now,
        ok: true,
        detail,
        ref: result.ref,
        error: null,
      });
      events.push({
        type: 'writeback.done',
        propertyId,
        bookingId: item.bookingId,
        action: item.action,
      });
    } else {
      const reason = describeError(result.error);
      states.push({ bookingId: item.bookingId, patch: { writeBackError: reason } });
      logs.push({
        propertyId,
        bookingId: item.bookingId,
        action: item.action,
        at: now,
        ok: false,
        detail,
        ref: null,
        error: reason,
      });
      events.push({
        type: 'writeback.failed',
        propertyId,
        bookingId: item.bookingId,
        action: item.action,
        error: reason,
      });
      if (isTransient(result.error) && !retry) retry = result.error;
    }
  }
  // Every booking's new state and the audit rows in one transaction (one commit, not one per booking).
  await ctx.store.transaction(async (tx) => {
    for (const { bookingId, patch } of states) await tx.updateBookingState(propertyId, bookingId, patch, now);
    await tx.appendWriteBackLogs(logs);
  });
  for (const event of events) ctx.emit(event);
  return retry;
}
