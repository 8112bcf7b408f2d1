import type { Booking, BookingRecord, Property, Unit, UnitMapping } from '../domain/schemas.js';
import { PermanentError, ValidationError } from '../errors/errors.js';
import type { BookingPage, Interval, PmsProvider } from '../ports/pms.js';
import type { Job, QuarantineEntry } from '../ports/store.js';
import { addDays, localDateOf } from '../time/access-window.js';
import type { EngineContext } from './context.js';
import { planAndPersist, planAndPersistBookings, requireProperty } from './plan-and-persist.js';
import { newQuarantineRows } from './quarantine-log.js';
import { readAhead } from './read-ahead.js';

export interface SyncResult {
  propertyId: string;
  skipped: boolean;
  bookings: number;
  quarantined: number;
  operations: number;
}

const DAY = 86_400_000;

export function defaultSyncWindow(now: Date): Interval {
  return { start: new Date(now.getTime() - 7 * DAY), end: new Date(now.getTime() + 30 * DAY) };
}

function providerFor(ctx: EngineContext, property: Property): PmsProvider {
  const provider = ctx.provider(property);
  if (!provider)
    throw new ValidationError(
      'provider',
      `no provider configured for property ${property.id} (${property.provider})`,
    );
  return provider;
}

/** Store one page: bookings upserted and bad records quarantined together, then a checkpoint. */
async function storePage(
  ctx: EngineContext,
  property: Property,
  source: string,
  page: BookingPage,
): Promise<void> {
  const now = ctx.clock.now();
  const foreign = page.bookings.find((b) => b.propertyId !== property.id);
  if (foreign)
    throw new PermanentError(
      `provider returned booking ${foreign.bookingId} of property ${foreign.propertyId}`,
    );
  const quarantine: QuarantineEntry[] = page.quarantined.map((q) => ({
    propertyId: property.id,
    source,
    recordId: q.recordId,
    reason: q.reason,
    raw: safeJson(q.raw),
    at: now,
  }));
  const rows = quarantine.length ? await newQuarantineRows(ctx, property.id, quarantine, now) : [];
  await ctx.store.transaction(async (tx) => {
    if (page.bookings.length) await tx.upsertBookings(page.bookings, now);
    if (rows.length) await tx.appendQuarantine(rows);
  });
  ctx.emit({
    type: 'sync.page',
    propertyId: property.id,
    bookings: page.bookings.length,
    quarantined: quarantine.length,
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 100_000) ?? 'undefined';
  } catch {
    return String(value);
  }
}

/**
 * Provider → store → plan → durable lock jobs. Each page is stored as it arrives (a crash
 * mid-sync keeps what was read) while the provider reads the next, and planning runs only
 * after a complete, successful read:
 * a failed fetch plans nothing, so a partial view never revokes codes.
 */
export async function syncProperty(
  ctx: EngineContext,
  propertyId: string,
  options: { window?: Interval } = {},
): Promise<SyncResult> {
  const property = await requireProperty(ctx.store, propertyId);
  if (!property.enabled) {
    ctx.emit({ type: 'property.skipped', propertyId, reason: 'property is disabled' });
    return { propertyId, skipped: true, bookings: 0, quarantined: 0, operations: 0 };
  }
  const provider = providerFor(ctx, property);
  const window = options.window ?? defaultSyncWindow(ctx.clock.now());
  const { bookings, quarantined } = await walkWindow(ctx, property, provider, window);
  await ctx.store.setCheckpoint(
    `sync:${propertyId}`,
    JSON.stringify({
      at: ctx.clock.now().toISOString(),
      start: window.start.toISOString(),
      end: window.end.toISOString(),
      bookings,
    }),
  );
  ctx.emit({ type: 'sync.done', propertyId, bookings, quarantined });
  const p = await planAndPersist(ctx, propertyId);
  return {
    propertyId,
    skipped: false,
    bookings,
    quarantined,
    operations: p.operations.filter((o) => o.kind !== 'noop').length,
  };
}

/** Read every booking in the window from the PMS without storing anything (for dry runs). */
export async function fetchAll(
  ctx: EngineContext,
  propertyId: string,
  window?: Interval,
): Promise<BookingPage> {
  const property = await requireProperty(ctx.store, propertyId);
  const provider = providerFor(ctx, property);
  const out: BookingPage = { bookings: [], quarantined: [] };
  for await (const page of provider.fetchBookings({ window: window ?? defaultSyncWindow(ctx.clock.now()) })) {
    out.bookings.push(...page.bookings);
    out.quarantined.push(...page.quarantined);
  }
  return out;
}

/** Webhook follow-up: re-fetch the named bookings, store them, plan. */
export async function runSyncBookingsJob(ctx: EngineContext, job: Job): Promise<void> {
  await runSyncBookingsJobs(ctx, [job]);
}

/**
 * Several webhook follow-ups of one property at once: the union of their booking ids is
 * fetched once (the provider batches ids) and the property planned once, so a burst of
 * webhooks costs a few PMS calls instead of two per webhook. A job without ids asks for a
 * window sync, which then covers the others too.
 */
export async function runSyncBookingsJobs(ctx: EngineContext, jobs: Job[]): Promise<void> {
  const propertyId = jobs[0]?.propertyId;
  if (propertyId === undefined) return;
  if (jobs.some((j) => j.propertyId !== propertyId))
    throw new ValidationError('jobs', 'sync.bookings jobs of one batch must share a property');
  const property = await requireProperty(ctx.store, propertyId);
  if (!property.enabled) return;
  const provider = providerFor(ctx, property);
  const idLists = jobs.map((job) =>
    Array.isArray(job.payload.bookingIds) ? job.payload.bookingIds.map(String) : [],
  );
  const ids = [...new Set(idLists.flat())];
  if (idLists.every((list) => list.length > 0) && provider.fetchBookingsByIds) {
    await storePage(ctx, property, provider.kind, await provider.fetchBookingsByIds(ids));
    await planAndPersistBookings(ctx, property.id, ids);
    return;
  }
  await walkWindow(ctx, property, provider, defaultSyncWindow(ctx.clock.now()));
  await planAndPersist(ctx, property.id);
}

/**
 * Store every page of the window, then account for the bookings the walk did not return
 * although we hold them well inside the window: they were moved out of it (new dates beyond
 * the horizon, another property) or deleted. Left alone, their codes would stay on the doors
 * for dates that are no longer theirs.
 */
async function walkWindow(
  ctx: EngineContext,
  property: Property,
  provider: PmsProvider,
  window: Interval,
): Promise<{ bookings: number; quarantined: number }> {
  const seen = new Set<string>();
  let bookings = 0;
  let quarantined = 0;
  // The provider reads the next page while this one is stored.
  for await (const page of readAhead(provider.fetchBookings({ window }))) {
    await storePage(ctx, property, provider.kind, page);
    bookings += page.bookings.length;
    quarantined += page.quarantined.length;
    for (const b of page.bookings) seen.add(b.bookingId);
    for (const q of page.quarantined) if (q.recordId !== null) seen.add(q.recordId);
  }
  await recheckVanished(ctx, property, provider, window, seen);
  return { bookings, quarantined };
}

/**
 * Stored confirmed bookings whose stay lies inside the window by a margin of two days (so
 * time zones and check-in/out hours cannot explain their absence) but which the walk did not
 * return. Providers that can read by id are asked where each went (its new dates or room are
 * stored and planned at once); one the PMS no longer returns at all, or a provider that cannot
 * read by id, makes it cancelled here: its codes are revoked, and should it come back in a later
 * window it is stored again as the PMS then has it.
 */
const RECHECK_PAGE = 1000;

async function recheckVanished(
  ctx: EngineContext,
  property: Property,
  provider: PmsProvider,
  window: Interval,
  seen: Set<string>,
): Promise<void> {
  const from = addDays(localDateOf(window.start, property.timezone), 2);
  const to = addDays(localDateOf(window.end, property.timezone), -2);
  if (from > to) return;
  // A page at a time, and only what tells a booking is missing: a large property's bookings
  // need not all be in memory, nor all be read whole, to find the few the walk did not return.
  const missingIds: string[] = [];
  let after: string | undefined;
  for (;;) {
    const stored = await ctx.store.listBookingSummaries(property.id, {
      departingOnOrAfter: from,
      limit: RECHECK_PAGE,
      ...(after === undefined ? {} : { afterBookingId: after }),
    });
    for (const b of stored)
      if (b.status === 'confirmed' && b.arrivalDate <= to && !seen.has(b.bookingId))
        missingIds.push(b.bookingId);
    if (stored.length < RECHECK_PAGE) break;
    after = stored.at(-1)?.bookingId;
  }
  if (missingIds.length === 0) return;
  const missing = await ctx.store.listBookings(property.id, { bookingIds: missingIds });
  let page: BookingPage = { bookings: [], quarantined: [] };
  if (provider.fetchBookingsByIds) page = await provider.fetchBookingsByIds(missing.map((b) => b.bookingId));
  const answered = new Set([
    ...page.bookings.map((b) => b.bookingId),
    ...page.quarantined.flatMap((q) => (q.recordId === null ? [] : [q.recordId])),
  ]);
  const gone = missing.filter((b) => !answered.has(b.bookingId)).map(asCancelled);
  await storePage(ctx, property, provider.kind, {
    bookings: [...page.bookings, ...gone],
    quarantined: page.quarantined,
  });
  ctx.emit({
    type: 'sync.vanished',
    propertyId: property.id,
    bookings: missing.length,
    refetched: page.bookings.length,
    gone: gone.length,
  });
  ctx.logger.info('bookings left the sync window', {
    propertyId: property.id,
    bookings: missing.length,
    refetched: page.bookings.length,
    gone: gone.length,
  });
}

/** The PMS fields of a stored booking, marked cancelled (its state columns are the store's). */
function asCancelled(b: BookingRecord): Booking {
  return {
    propertyId: b.propertyId,
    bookingId: b.bookingId,
    resourceId: b.resourceId,
    roomId: b.roomId,
    unitName: b.unitName,
    guestName: b.guestName,
    arrivalDate: b.arrivalDate,
    departureDate: b.departureDate,
    checkInAt: b.checkInAt,
    checkOutAt: b.checkOutAt,
    status: 'cancelled',
    referenceNumber: b.referenceNumber,
    externalIds: b.externalIds,
  };
}

/** Provider units → units and unit mappings. Lock assignments are the operator's and are kept. */
export async function syncUnits(ctx: EngineContext, propertyId: string): Promise<number> {
  const property = await requireProperty(ctx.store, propertyId);
  const provider = providerFor(ctx, property);
  if (!provider.listUnits) throw new ValidationError('provider', `${provider.kind} cannot list units`);
  const sources = await provider.listUnits();
  const units = new Map<string, Unit>();
  const mappings: UnitMapping[] = [];
  for (const s of sources) {
    units.set(`${s.roomId}\u0000${s.unitName}`, { propertyId, roomId: s.roomId, unitName: s.unitName });
    mappings.push({
      propertyId,
      resourceId: s.resourceId,
      resourceName: s.resourceName,
      roomId: s.roomId,
      unitName: s.unitName,
      primary: true,
    });
  }
  await ctx.store.transaction(async (tx) => {
    await tx.replaceUnits(propertyId, [...units.values()]);
    await tx.replaceUnitMappings(propertyId, mappings);
  });
  ctx.emit({ type: 'units.synced', propertyId, units: units.size });
  if (property.enabled) await planAndPersist(ctx, propertyId);
  return units.size;
}
