import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Booking, bookingSchema } from '../domain/schemas.js';
import { AuthError } from '../errors/errors.js';
import type { BookingPage, Interval, PmsProvider, WebhookRequest, WriteBackItem } from '../ports/pms.js';

export interface PmsConformanceFixture {
  provider: PmsProvider;
  /** A window that contains every seeded booking. */
  window: Interval;
  /** Ids of seeded bookings, by the status they must map to. */
  expected: { confirmed: string[]; cancelled: string[] };
  /** Reads what the PMS holds for a booking after write-back (required when writeBack is supported). */
  readWriteBack?: (
    booking: Booking,
  ) => Promise<{ passcode: string; validFrom?: Date; validTo?: Date } | undefined>;
  /** A webhook request with the right secret, and one with a wrong secret (when webhooks are supported). */
  webhook?: { valid: WebhookRequest; wrongSecret: WebhookRequest };
  cleanup?: () => Promise<void>;
}

export interface PmsConformanceOptions {
  create: () => Promise<PmsConformanceFixture>;
}

async function collect(pages: AsyncIterable<BookingPage>): Promise<BookingPage[]> {
  const out: BookingPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

function item(booking: Booking, overrides: Partial<WriteBackItem> = {}): WriteBackItem {
  return {
    propertyId: booking.propertyId,
    bookingId: booking.bookingId,
    action: 'upsert',
    passcode: '583920',
    validFrom: new Date('2026-06-01T13:00:00Z'),
    validTo: new Date('2026-06-04T09:00:00Z'),
    resourceId: booking.resourceId,
    roomId: booking.roomId,
    unitName: booking.unitName,
    externalIds: booking.externalIds,
    ref: null,
    ...overrides,
  };
}

/** The behaviour every `PmsProvider` must have, run against the adapter's fake backend. */
export function describePmsProviderConformance(name: string, options: PmsConformanceOptions): void {
  describe(`PmsProvider conformance: ${name}`, () => {
    let fx: PmsConformanceFixture;
    beforeEach(async () => {
      fx = await options.create();
    });
    afterEach(async () => {
      await fx.cleanup?.();
    });

    it('declares capabilities that match the methods it has', () => {
      const p = fx.provider;
      expect(typeof p.kind).toBe('string');
      expect(p.capabilities.writeBack).toBe(typeof p.writeBack === 'function');
      expect(p.capabilities.listUnits).toBe(typeof p.listUnits === 'function');
      expect(p.capabilities.webhooks).toBe(typeof p.parseWebhook === 'function');
      expect(p.capabilities.fetchByIds).toBe(typeof p.fetchBookingsByIds === 'function');
    });

    it('fetches every seeded booking once, valid, with its mapped status', async () => {
      const pages = await collect(fx.provider.fetchBookings({ window: fx.window }));
      const bookings = pages.flatMap((p) => p.bookings);
      for (const b of bookings) {
        expect(() => bookingSchema.parse(b)).not.toThrow();
        expect(b.propertyId).toBe(fx.provider.propertyId);
      }
      const ids = bookings.map((b) => b.bookingId);
      expect(new Set(ids).size).toBe(ids.length);
      const status = new Map(bookings.map((b) => [b.bookingId, b.status]));
      for (const id of fx.expected.confirmed) expect(status.get(id), id).toBe('confirmed');
      for (const id of fx.expected.cancelled) expect(status.get(id), id).toBe('cancelled');
    });

    it('gives the same bookings on a second fetch (stable ids and fields)', async () => {
      const first = (await collect(fx.provider.fetchBookings({ window: fx.window }))).flatMap(
        (p) => p.bookings,
      );
      const second = (await collect(fx.provider.fetchBookings({ window: fx.window }))).flatMap(
        (p) => p.bookings,
      );
      const byId = (list: Booking[]) => [...list].sort((a, b) => a.bookingId.localeCompare(b.bookingId));
      expect(byId(second)).toEqual(byId(first));
    });

    it('fetches bookings by id when it can', async () => {
      if (!fx.provider.fetchBookingsByIds) return;
      const wanted = fx.expected.confirmed.slice(0, 2);
      const page = await fx.provider.fetchBookingsByIds(wanted);
      expect(page.bookings.map((b) => b.bookingId).sort()).toEqual([...wanted].sort());
    });

    it('writes back idempotently: a retried upsert leaves one value, delete removes it', async () => {
      if (!fx.provider.writeBack) return;
      expect(fx.readWriteBack, 'fixture must provide readWriteBack').toBeDefined();
      const pages = await collect(fx.provider.fetchBookings({ window: fx.window }));
      const booking = pages.flatMap((p) => p.bookings).find((b) => b.bookingId === fx.expected.confirmed[0]);
      expect(booking).toBeDefined();
      const first = await fx.provider.writeBack([item(booking!)]);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ bookingId: booking!.bookingId, ok: true });
      // A retry after a lost response: same item, no ref known.
      const retry = await fx.provider.writeBack([item(booking!)]);
      expect(retry[0]).toMatchObject({ ok: true });
      const written = await fx.readWriteBack!(booking!);
      expect(written?.passcode).toBe('583920');
      const ref = first[0]!.ok ? first[0]!.ref : null;
      const update = await fx.provider.writeBack([item(booking!, { passcode: '720461', ref })]);
      expect(update[0]).toMatchObject({ ok: true });
      expect((await fx.readWriteBack!(booking!))?.passcode).toBe('720461');
      const removed = await fx.provider.writeBack([
        item(booking!, { action: 'delete', passcode: null, ref }),
      ]);
      expect(removed[0]).toMatchObject({ ok: true });
      expect(await fx.readWriteBack!(booking!)).toBeUndefined();
      const again = await fx.provider.writeBack([item(booking!, { action: 'delete', passcode: null, ref })]);
      expect(again[0]).toMatchObject({ ok: true });
    });

    it('lists units with unique resource ids when it can', async () => {
      if (!fx.provider.listUnits) return;
      const units = await fx.provider.listUnits();
      expect(units.length).toBeGreaterThan(0);
      expect(new Set(units.map((u) => u.resourceId)).size).toBe(units.length);
      for (const u of units) expect(u.roomId && u.unitName).toBeTruthy();
    });

    it('authenticates webhooks when it takes them', () => {
      if (!fx.provider.parseWebhook) return;
      expect(fx.webhook, 'fixture must provide webhook requests').toBeDefined();
      expect(fx.provider.parseWebhook(fx.webhook!.valid).length).toBeGreaterThan(0);
      expect(() => fx.provider.parseWebhook!(fx.webhook!.wrongSecret)).toThrow(AuthError);
    });
  });
}
