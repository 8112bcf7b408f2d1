import type { BookingPage, WebhookRequest } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { createBookingFactoryProvider, DEFAULT_TBF_CONTRACT, defineTbfContract } from '../src/index.js';
import { FakeTbf } from './support/fake-tbf.js';
import { useMsw } from './support/setup.js';

const server = useMsw();

/** A contract unlike the default in every section, as TBF might really specify it. */
const overrides = {
  auth: { header: 'Authorization', prefix: 'Bearer ' },
  listBookings: {
    path: '/v3/properties/{hotelId}/reservations',
    query: { from: 'arrival_before_or_on', to: 'departure_on_or_after', page: 'p' },
    itemsPath: 'result.items',
    nextPagePath: 'result.next',
  },
  writeKeycode: {
    method: 'POST' as const,
    path: '/v3/reservations/{bookingId}/units/{roomId}/door-code',
    body: { code: 'door.code', validFrom: 'door.from', validTo: 'door.until' },
  },
  removeKeycode: { path: '/v3/reservations/{bookingId}/units/{roomId}/door-code' },
  booking: {
    id: 'reservationId',
    reference: 'confirmation',
    status: 'state',
    arrival: 'stay.arrival',
    departure: 'stay.departure',
    guestFirstName: 'guest.given',
    guestLastName: 'guest.family',
    rooms: null,
  },
  room: { lineId: 'unused', roomId: 'unitId', roomName: 'unitName' },
  statuses: { confirmed: ['BOOKED'], cancelled: ['VOID'] },
  webhook: { header: 'x-partner-secret', prefix: '', itemsPath: 'reservation' },
};

function res(id: string, state = 'BOOKED') {
  return {
    reservationId: id,
    confirmation: `C-${id}`,
    state,
    stay: { arrival: '2026-06-01', departure: '2026-06-03' },
    guest: { given: 'Grace', family: 'Hopper' },
    unitId: 'U7',
    unitName: 'Seven',
  };
}

describe('TBF contract', () => {
  it('merges overrides per section and keeps the rest of the default', () => {
    const c = defineTbfContract({ booking: { reference: 'code' }, writeKeycode: null });
    expect(c.booking).toEqual({ ...DEFAULT_TBF_CONTRACT.booking, reference: 'code' });
    expect(c.writeKeycode).toBeNull();
    expect(c.listBookings).toEqual(DEFAULT_TBF_CONTRACT.listBookings);
    expect(DEFAULT_TBF_CONTRACT.booking.reference).toBe('token'); // the default is not mutated
  });

  it('round trip: list, write, remove and push all follow a custom contract', async () => {
    const contract = defineTbfContract(overrides);
    const fake = new FakeTbf({ contract, pageSize: 1, baseUrl: 'http://127.0.0.1:4126/api' });
    fake.seed('H9', [res('r1'), res('r2', 'VOID')]);
    server.use(...fake.handlers());
    const provider = createBookingFactoryProvider({
      propertyId: 'P2',
      timezone: 'UTC',
      api: { baseUrl: fake.baseUrl, apiKey: fake.apiKey, hotelId: 'H9' },
      webhookSecret: 'push-secret-abcdef',
      contract: overrides,
    });

    const pages: BookingPage[] = [];
    for await (const p of provider.fetchBookings({
      window: { start: new Date('2026-05-01'), end: new Date('2026-07-01') },
    })) {
      pages.push(p);
    }
    const bookings = pages.flatMap((p) => p.bookings);
    expect(bookings.map((b) => [b.bookingId, b.status, b.roomId, b.guestName, b.referenceNumber])).toEqual([
      ['r1', 'confirmed', 'U7', 'Grace Hopper', 'C-r1'],
      ['r2', 'cancelled', 'U7', 'Grace Hopper', 'C-r2'],
    ]);
    const list = fake.requests[0]!;
    expect(list.url.pathname).toBe('/api/v3/properties/H9/reservations');
    expect(list.headers.get('authorization')).toBe(`Bearer ${fake.apiKey}`);
    expect(list.url.searchParams.get('arrival_before_or_on')).toBe('2026-05-01');
    expect(fake.requests[1]!.url.searchParams.get('p')).toBe('2');

    const [written] = await provider.writeBack!([
      {
        propertyId: 'P2',
        bookingId: 'r1',
        action: 'upsert',
        passcode: '204816',
        validFrom: new Date('2026-06-01T15:00:00Z'),
        validTo: new Date('2026-06-03T10:00:00Z'),
        resourceId: bookings[0]!.resourceId,
        roomId: 'U7',
        unitName: 'U7',
        externalIds: bookings[0]!.externalIds,
        ref: null,
      },
    ]);
    expect(written).toEqual({ bookingId: 'r1', ok: true, ref: 'r1/U7' });
    expect(fake.keycode('r1', 'U7')?.body).toEqual({
      door: { code: '204816', from: '2026-06-01T15:00:00.000Z', until: '2026-06-03T10:00:00.000Z' },
    });
    const post = fake.requests.find((r) => r.method === 'POST')!;
    expect(post.url.pathname).toBe('/api/v3/reservations/r1/units/U7/door-code');

    const [removed] = await provider.writeBack!([
      { ...bookingItem(bookings[0]!.externalIds), action: 'delete', passcode: null },
    ]);
    expect(removed).toMatchObject({ ok: true });
    expect(fake.keycode('r1', 'U7')).toBeUndefined();

    const push: WebhookRequest = {
      propertyId: 'P2',
      method: 'POST',
      query: {},
      headers: { 'X-Partner-Secret': 'push-secret-abcdef' },
      body: JSON.stringify({ reservation: res('r3') }),
    };
    const [event] = provider.parseWebhook!(push);
    expect(event).toMatchObject({ type: 'bookings.pushed', quarantined: [] });
    expect(event!.type === 'bookings.pushed' && event!.bookings.map((b) => b.bookingId)).toEqual(['r3']);
  });
});

function bookingItem(externalIds: Record<string, string>) {
  return {
    propertyId: 'P2',
    bookingId: 'r1',
    action: 'upsert' as const,
    passcode: '204816',
    validFrom: null,
    validTo: null,
    resourceId: 'U7',
    roomId: 'U7',
    unitName: 'U7',
    externalIds,
    ref: 'r1/U7',
  };
}
