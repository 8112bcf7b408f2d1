import { type BookingPage, bookingSchema } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { mapState } from '../src/index.js';
import { newFake, providerFor, seed, useMsw } from './support/setup.js';

const server = useMsw();
const RES = 'reservations/getAll/2023-06-06';
const WINDOW = { start: new Date('2026-04-01T00:00:00Z'), end: new Date('2026-06-01T00:00:00Z') };

async function collect(pages: AsyncIterable<BookingPage>): Promise<BookingPage[]> {
  const out: BookingPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

function setup() {
  const fake = newFake();
  server.use(...fake.handlers());
  const s = seed(fake);
  return { fake, s };
}

describe('fetchBookings', () => {
  it('maps reservations of the configured service into bookings', async () => {
    const { fake, s } = setup();
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    const bookings = (await collect(provider.fetchBookings({ window: WINDOW }))).flatMap((p) => p.bookings);
    expect(bookings.map((b) => b.bookingId).sort()).toEqual(Object.values(s.reservations).sort());
    const confirmed = bookings.find((b) => b.bookingId === s.reservations.confirmed)!;
    expect(confirmed).toEqual(
      bookingSchema.parse({
        propertyId: 'P1',
        bookingId: s.reservations.confirmed,
        resourceId: s.rooms.r101,
        roomId: null,
        unitName: null,
        guestName: 'Ada Lovelace',
        arrivalDate: '2026-05-01',
        departureDate: '2026-05-03',
        checkInAt: new Date('2026-05-01T14:00:00Z'),
        checkOutAt: new Date('2026-05-03T10:00:00Z'),
        status: 'confirmed',
        referenceNumber: '1001',
        externalIds: {
          reservationId: s.reservations.confirmed,
          serviceOrderId: s.reservations.confirmed,
          serviceId: s.serviceId,
          resourceId: s.rooms.r101,
          customerId: s.guests.ada,
          accountId: s.guests.ada,
          groupId: confirmed.externalIds.groupId!,
          enterpriseId: fake.enterpriseId,
        },
      }),
    );
    const req = fake.calls(RES)[0]!.body;
    expect(req.ServiceIds).toEqual([s.serviceId]);
    expect(req.States).toEqual([
      'Inquired',
      'Confirmed',
      'Started',
      'Processed',
      'Canceled',
      'Optional',
      'Requested',
    ]);
    expect(req.CollidingUtc).toEqual({ StartUtc: '2026-04-01T00:00:00Z', EndUtc: '2026-06-01T00:00:00Z' });
  });

  it('maps every MEWS state', () => {
    expect(
      Object.fromEntries(
        [
          'Confirmed',
          'Started',
          'Processed',
          'Canceled',
          'Inquired',
          'Optional',
          'Requested',
          'Brand-new',
        ].map((s) => [s, mapState(s)]),
      ),
    ).toEqual({
      Confirmed: 'confirmed',
      Started: 'confirmed',
      Processed: 'confirmed',
      Canceled: 'cancelled',
      Inquired: 'unknown',
      Optional: 'unknown',
      Requested: 'unknown',
      'Brand-new': 'unknown',
    });
  });

  it('fetches guest names with one customers call per page', async () => {
    const { fake, s } = setup();
    const provider = providerFor(fake, { serviceIds: [s.serviceId], reservationPageSize: 2 });
    const pages = await collect(provider.fetchBookings({ window: WINDOW }));
    expect(pages).toHaveLength(3);
    const customerCalls = fake.calls('customers/getAll');
    expect(customerCalls).toHaveLength(3);
    for (const call of customerCalls) {
      const ids = call.body.CustomerIds as string[];
      expect(new Set(ids).size).toBe(ids.length);
    }
    const names = new Map(pages.flatMap((p) => p.bookings).map((b) => [b.bookingId, b.guestName]));
    expect(names.get(s.reservations.started)).toBe('Bob Stone');
  });

  it('asks for the next reservations page while the current one is still being completed', async () => {
    const { fake, s } = setup();
    const provider = providerFor(fake, { serviceIds: [s.serviceId], reservationPageSize: 2 });
    const pages = await collect(provider.fetchBookings({ window: WINDOW }));
    expect(pages).toHaveLength(3);
    // Page 2 is requested before page 1's guest names: its round trip overlaps that call and
    // the caller's work. No call more than a walk one page at a time makes.
    const order = fake.requests
      .map((r) => r.operation)
      .filter((op) => op === RES || op === 'customers/getAll');
    expect(order.slice(0, 3)).toEqual([RES, RES, 'customers/getAll']);
    expect(fake.calls(RES)).toHaveLength(3);
    expect(fake.calls('customers/getAll')).toHaveLength(3);
  });

  it('a company-owned reservation has no guest name and asks for no customer', async () => {
    const { fake, s } = setup();
    fake.reservations.clear();
    const id = fake.addReservation({
      ServiceId: s.serviceId,
      AccountType: 'Company',
      AccountId: 'company-1',
    });
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    const [page] = await collect(provider.fetchBookings({ window: WINDOW }));
    expect(page!.bookings[0]).toMatchObject({ bookingId: id, guestName: '' });
    expect(page!.bookings[0]!.externalIds.customerId).toBeUndefined();
    expect(fake.calls('customers/getAll')).toHaveLength(0);
  });

  it('local arrival/departure dates come from the enterprise time zone', async () => {
    const { fake, s } = setup();
    fake.reservations.clear();
    // 23:30 UTC is already the next day in Prague (UTC+2 in summer).
    fake.addReservation({
      Id: 'late',
      ServiceId: s.serviceId,
      ScheduledStartUtc: '2026-05-01T23:30:00Z',
      ScheduledEndUtc: '2026-05-03T08:00:00Z',
    });
    const prague = providerFor(fake, { serviceIds: [s.serviceId], timezone: 'Europe/Prague' });
    const ny = providerFor(fake, { serviceIds: [s.serviceId], timezone: 'America/New_York' });
    const [p1] = await collect(prague.fetchBookings({ window: WINDOW }));
    const [p2] = await collect(ny.fetchBookings({ window: WINDOW }));
    expect(p1!.bookings[0]).toMatchObject({ arrivalDate: '2026-05-02', departureDate: '2026-05-03' });
    expect(p2!.bookings[0]).toMatchObject({ arrivalDate: '2026-05-01', departureDate: '2026-05-03' });
  });

  it('an unassigned room gives resourceId null; core reports the reason', async () => {
    const { fake, s } = setup();
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    const bookings = (await collect(provider.fetchBookings({ window: WINDOW }))).flatMap((p) => p.bookings);
    const b = bookings.find((x) => x.bookingId === s.reservations.unassigned)!;
    expect(b).toMatchObject({ resourceId: null, roomId: null, unitName: null, status: 'confirmed' });
    expect(b.externalIds.resourceId).toBeUndefined();
  });

  it('resolves units through unit mappings when given; an unmapped resource stays unresolved', async () => {
    const { fake, s } = setup();
    const provider = providerFor(fake, {
      serviceIds: [s.serviceId],
      unitMappings: async () => [
        {
          propertyId: 'P1',
          resourceId: s.rooms.r101,
          resourceName: '101',
          roomId: 'DBL',
          unitName: '101',
          primary: true,
        },
      ],
    });
    const bookings = (await collect(provider.fetchBookings({ window: WINDOW }))).flatMap((p) => p.bookings);
    expect(bookings.find((b) => b.bookingId === s.reservations.confirmed)).toMatchObject({
      resourceId: s.rooms.r101,
      roomId: 'DBL',
      unitName: '101',
    });
    expect(bookings.find((b) => b.bookingId === s.reservations.started)).toMatchObject({
      resourceId: s.rooms.r102,
      roomId: null,
      unitName: null,
    });
  });

  it('quarantines a malformed reservation with a reason; the rest of the page proceeds', async () => {
    const { fake, s } = setup();
    const broken = fake.addReservation({ ServiceId: s.serviceId, ScheduledStartUtc: '2026-05-01T14:00:00Z' });
    fake.reservations.get(broken)!.ScheduledEndUtc = 'not a date';
    const backwards = fake.addReservation({
      ServiceId: s.serviceId,
      ScheduledStartUtc: '2026-05-05T14:00:00Z',
      ScheduledEndUtc: '2026-05-04T10:00:00Z',
    });
    // The fake's colliding filter would drop them; fetch by id instead.
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    const page = await provider.fetchBookingsByIds!([broken, backwards, s.reservations.confirmed]);
    expect(page.bookings.map((b) => b.bookingId)).toEqual([s.reservations.confirmed]);
    expect(page.quarantined).toHaveLength(2);
    const reasons = new Map(page.quarantined.map((q) => [q.recordId, q.reason]));
    expect(reasons.get(broken)).toMatch(/^reservation ScheduledEndUtc: /);
    expect(reasons.get(backwards)).toBe('reservation ScheduledEndUtc: must be after ScheduledStartUtc');
    expect(page.quarantined.find((q) => q.recordId === broken)!.raw).toMatchObject({ Id: broken });
  });

  it('a stay crossing the boundary of two 3-month pieces comes back once', async () => {
    const { fake, s } = setup();
    fake.reservations.clear();
    const id = fake.addReservation({
      ServiceId: s.serviceId,
      ScheduledStartUtc: '2026-03-30T14:00:00Z',
      ScheduledEndUtc: '2026-04-03T10:00:00Z',
    });
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    const window = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-05-01T00:00:00Z') };
    const bookings = (await collect(provider.fetchBookings({ window }))).flatMap((p) => p.bookings);
    expect(fake.calls(RES)).toHaveLength(2);
    expect(bookings.map((b) => b.bookingId)).toEqual([id]);
  });

  it('updatedSince adds an UpdatedUtc filter up to now', async () => {
    const { fake, s } = setup();
    const provider = providerFor(fake, {
      serviceIds: [s.serviceId],
      clock: { now: () => new Date('2026-04-02T00:00:00Z') },
    });
    await collect(provider.fetchBookings({ window: WINDOW, updatedSince: new Date('2026-04-01T00:00:00Z') }));
    expect(fake.calls(RES)[0]!.body.UpdatedUtc).toEqual({
      StartUtc: '2026-04-01T00:00:00Z',
      EndUtc: '2026-04-02T00:01:00Z',
    });
  });

  it('discovers the active bookable services when none are configured (once)', async () => {
    const { fake, s } = setup();
    fake.addService({ IsActive: false });
    fake.addService({ Data: { Discriminator: 'Additional', Value: {} } });
    const provider = providerFor(fake);
    await collect(provider.fetchBookings({ window: WINDOW }));
    await collect(provider.fetchBookings({ window: WINDOW }));
    expect(fake.calls('services/getAll')).toHaveLength(1);
    // Both seeded services are bookable; the inactive and the additional one are left out.
    const sent = fake.calls(RES)[0]!.body.ServiceIds as string[];
    expect(sent).toContain(s.serviceId);
    expect(sent).toHaveLength(2);
  });
});

describe('fetchBookingsByIds', () => {
  it('fetches the named reservations, chunked at 1,000, with every state', async () => {
    const { fake, s } = setup();
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    const ids = [s.reservations.canceled, ...Array.from({ length: 1200 }, (_, i) => `missing-${i}`)];
    const page = await provider.fetchBookingsByIds!(ids);
    expect(page.bookings.map((b) => [b.bookingId, b.status])).toEqual([
      [s.reservations.canceled, 'cancelled'],
    ]);
    const calls = fake.calls(RES);
    expect(calls.map((c) => (c.body.ReservationIds as string[]).length)).toEqual([1000, 201]);
    expect(calls[0]!.body.CollidingUtc).toBeUndefined();
  });

  it('returns an empty page for no ids without calling MEWS', async () => {
    const { fake, s } = setup();
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    expect(await provider.fetchBookingsByIds!([])).toEqual({ bookings: [], quarantined: [] });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('listUnits', () => {
  it('turns the service’s resources into units: roomId = category id, unitName = resource name', async () => {
    const { fake, s } = setup();
    fake.addResource('104', null); // in no category of the service
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    const units = await provider.listUnits!();
    expect(units).toEqual([
      { resourceId: s.rooms.r101, resourceName: '101', roomId: s.categoryId, unitName: '101' },
      { resourceId: s.rooms.r102, resourceName: '102', roomId: s.categoryId, unitName: '102' },
      { resourceId: s.rooms.r103, resourceName: '103', roomId: s.categoryId, unitName: '103' },
    ]);
    expect(fake.calls('resourceCategories/getAll')[0]!.body.ServiceIds).toEqual([s.serviceId]);
    expect(fake.calls('resourceCategoryAssignments/getAll')[0]!.body.ResourceCategoryIds).toEqual([
      s.categoryId,
    ]);
  });

  it('leaves out inactive resources and inactive assignments', async () => {
    const { fake, s } = setup();
    (fake.resources.get(s.rooms.r102) as { IsActive: boolean }).IsActive = false;
    for (const a of fake.assignments.values()) if (a.ResourceId === s.rooms.r103) a.IsActive = false;
    const provider = providerFor(fake, { serviceIds: [s.serviceId] });
    expect((await provider.listUnits!()).map((u) => u.unitName)).toEqual(['101']);
  });
});

describe('configuration', () => {
  it('refuses a bad time zone and a missing property id', () => {
    const fake = newFake();
    expect(() => providerFor(fake, { timezone: 'Mars/Olympus' })).toThrow(/timezone/);
    expect(() => providerFor(fake, { propertyId: '' })).toThrow(/propertyId/);
  });

  it('declares webhooks only when a webhook token is configured', () => {
    const fake = newFake();
    const without = providerFor(fake, { webhookToken: undefined });
    expect(without.capabilities.webhooks).toBe(false);
    expect(without.parseWebhook).toBeUndefined();
    expect(providerFor(fake).capabilities).toEqual({
      webhooks: true,
      writeBack: true,
      listUnits: true,
      modifiedSince: true,
      fetchByIds: true,
    });
  });
});
