import { type BookingPage, ValidationError } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { createBeds24Provider, createGodoProvider, mapBooking, mapStatus } from '../src/index.js';
import { BEDS24_PROPERTY, booking, harness, useMsw } from './support/setup.js';

const server = useMsw();

const window = { start: new Date('2026-06-01T00:00:00Z'), end: new Date('2026-06-30T00:00:00Z') };

async function all(pages: AsyncIterable<BookingPage>): Promise<BookingPage> {
  const out: BookingPage = { bookings: [], quarantined: [] };
  for await (const p of pages) {
    out.bookings.push(...p.bookings);
    out.quarantined.push(...p.quarantined);
  }
  return out;
}

describe('Beds24 provider: fetching', () => {
  it('maps a booking to core fields', async () => {
    const { provider } = harness(server, { seed: [booking(501, { masterId: 500, reference: 'R-1' })] });
    const { bookings } = await all(provider.fetchBookings({ window }));
    expect(bookings).toEqual([
      {
        propertyId: 'P1',
        bookingId: '501',
        resourceId: '316001:1',
        roomId: '316001',
        unitName: '1',
        guestName: 'Ada Guest',
        arrivalDate: '2026-06-01',
        departureDate: '2026-06-04',
        checkInAt: null,
        checkOutAt: null,
        status: 'confirmed',
        referenceNumber: 'HM501',
        externalIds: {
          beds24BookingId: '501',
          beds24PropertyId: String(BEDS24_PROPERTY),
          beds24RoomId: '316001',
          beds24UnitId: '1',
          beds24MasterId: '500',
          apiReference: 'HM501',
        },
      },
    ]);
  });

  it('maps every Beds24 status', () => {
    expect(
      ['confirmed', 'new', 'request', 'cancelled', 'black', 'inquiry', 'surprise'].map((s) =>
        mapStatus(s, false),
      ),
    ).toEqual(['confirmed', 'confirmed', 'unknown', 'cancelled', 'cancelled', 'unknown', 'unknown']);
    expect(mapStatus('request', true)).toBe('confirmed');
  });

  it('includes cancelled bookings, asking for every status with info items', async () => {
    const { provider, fake } = harness(server, {
      seed: [
        booking(1),
        booking(2, { status: 'cancelled' }),
        booking(3, { status: 'black' }),
        booking(4, { status: 'inquiry' }),
      ],
    });
    const { bookings } = await all(provider.fetchBookings({ window }));
    expect(Object.fromEntries(bookings.map((b) => [b.bookingId, b.status]))).toEqual({
      1: 'confirmed',
      2: 'cancelled',
      3: 'cancelled',
      4: 'unknown',
    });
    const q = fake.requestsTo('GET', '/bookings')[0]!.url.searchParams;
    expect(q.getAll('status').sort()).toEqual([
      'black',
      'cancelled',
      'confirmed',
      'inquiry',
      'new',
      'request',
    ]);
    expect(q.get('includeInfoItems')).toBe('true');
    expect(q.getAll('propertyId')).toEqual([String(BEDS24_PROPERTY)]);
  });

  it('asks with property-local dates widened by a day and keeps only bookings overlapping the window', async () => {
    // 2026-06-30T23:30Z is already July 1st in Prague.
    const { provider, fake } = harness(server, {
      seed: [
        booking(1, { arrival: '2026-05-28', departure: '2026-06-01' }), // departs on the first day: overlaps
        booking(2, { arrival: '2026-07-01', departure: '2026-07-03' }), // arrives on the last local day
        booking(3, { arrival: '2026-07-02', departure: '2026-07-05' }), // after the window
        booking(4, { arrival: '2026-05-20', departure: '2026-05-31' }), // before the window
      ],
    });
    const local = { start: new Date('2026-06-01T00:00:00Z'), end: new Date('2026-06-30T23:30:00Z') };
    const { bookings } = await all(provider.fetchBookings({ window: local }));
    expect(bookings.map((b) => b.bookingId)).toEqual(['1', '2']);
    const q = fake.requestsTo('GET', '/bookings')[0]!.url.searchParams;
    expect(q.get('departureFrom')).toBe('2026-05-31');
    expect(q.get('arrivalTo')).toBe('2026-07-02');
  });

  it('reads every page', async () => {
    const seed = Array.from({ length: 7 }, (_, i) => booking(100 + i));
    const { provider, fake } = harness(server, { seed, pageSize: 3 });
    const pages: BookingPage[] = [];
    for await (const p of provider.fetchBookings({ window })) pages.push(p);
    expect(pages.map((p) => p.bookings.length)).toEqual([3, 3, 1]);
    expect(fake.requestsTo('GET', '/bookings')).toHaveLength(3);
  });

  it('polls modifiedFrom a day before updatedSince', async () => {
    const { provider, fake } = harness(server, { seed: [booking(1)] });
    await all(provider.fetchBookings({ window, updatedSince: new Date('2026-05-10T12:00:00Z') }));
    expect(fake.requestsTo('GET', '/bookings')[0]!.url.searchParams.get('modifiedFrom')).toBe(
      '2026-05-09T12:00:00',
    );
  });

  it('quarantines malformed bookings with a reason and keeps the rest', async () => {
    const { provider } = harness(server, {
      seed: [
        booking(1),
        booking(2, { arrival: '2022-XX_XX' }),
        booking(3, { arrival: '2026-06-05', departure: '2026-06-02' }),
      ],
    });
    const { bookings, quarantined } = await all(
      provider.fetchBookings({ window: { ...window, start: new Date('2026-01-01') } }),
    );
    expect(bookings.map((b) => b.bookingId)).toEqual(['1']);
    expect(quarantined.map((q) => [q.recordId, q.reason])).toEqual([
      ['2', 'Beds24 booking arrival: expected YYYY-MM-DD'],
      ['3', 'Beds24 booking departureDate: departureDate is before arrivalDate'],
    ]);
    expect(quarantined[0]!.raw).toMatchObject({ id: 2 });
  });

  it('quarantines a record of another property (a token may see several)', () => {
    const result = mapBooking(booking(4, { propertyId: 999 }), {
      propertyId: 'P1',
      beds24PropertyId: BEDS24_PROPERTY,
      requestIsConfirmed: false,
    });
    expect(result).toMatchObject({
      ok: false,
      quarantined: {
        recordId: '4',
        reason: `Beds24 booking propertyId: 999 is not the configured property ${BEDS24_PROPERTY}`,
      },
    });
  });

  it('treats a missing or zero unit as unassigned and a missing name as empty', async () => {
    const { provider } = harness(server, {
      seed: [booking(1, { unitId: 0, firstName: undefined, lastName: undefined })],
    });
    const { bookings } = await all(provider.fetchBookings({ window }));
    expect(bookings[0]).toMatchObject({ resourceId: null, roomId: '316001', unitName: null, guestName: '' });
  });

  it('fetches bookings by id, cancelled included', async () => {
    const { provider, fake } = harness(server, {
      seed: [booking(1), booking(2, { status: 'cancelled' }), booking(3)],
    });
    const page = await provider.fetchBookingsByIds!(['2', '3', 'x']);
    expect(page.bookings.map((b) => [b.bookingId, b.status])).toEqual([
      ['2', 'cancelled'],
      ['3', 'confirmed'],
    ]);
    expect(page.quarantined).toEqual([{ recordId: 'x', reason: 'not a Beds24 booking id', raw: 'x' }]);
    expect(fake.requestsTo('GET', '/bookings')[0]!.url.searchParams.getAll('id')).toEqual(['2', '3']);
  });

  it('lists units as (roomId, unitId) with readable names', async () => {
    const { provider } = harness(server, {
      fake: {
        roomTypes: [
          {
            id: 316001,
            name: 'Double',
            units: [
              { id: 1, name: '101' },
              { id: 2, name: '102' },
            ],
          },
          { id: 316002, name: 'Suite', units: [{ id: 1, name: 'S1' }] },
        ],
      },
    });
    expect(await provider.listUnits!()).toEqual([
      { resourceId: '316001:1', resourceName: 'Double / 101', roomId: '316001', unitName: '1' },
      { resourceId: '316001:2', resourceName: 'Double / 102', roomId: '316001', unitName: '2' },
      { resourceId: '316002:1', resourceName: 'Suite / S1', roomId: '316002', unitName: '1' },
    ]);
  });
});

describe('Beds24 provider: configuration', () => {
  const base = {
    propertyId: 'P1',
    beds24PropertyId: 1,
    timezone: 'Europe/Prague',
    refreshToken: 'r-token-123',
  };

  it('rejects bad settings naming the field', () => {
    expect(() => createBeds24Provider({ ...base, timezone: 'Mars/Base' })).toThrow(ValidationError);
    expect(() => createBeds24Provider({ ...base, beds24PropertyId: 0 })).toThrow(/beds24PropertyId/);
    expect(() => createBeds24Provider({ ...base, infoItemCode: 'LOCK_PIN' })).toThrow(/infoItemCode/);
  });

  it('GoDo is the Beds24 provider under its own kind', () => {
    const godo = createGodoProvider(base);
    expect(godo.kind).toBe('godo');
    expect(createBeds24Provider(base).kind).toBe('beds24');
    expect(godo.capabilities).toEqual(createBeds24Provider(base).capabilities);
  });
});
