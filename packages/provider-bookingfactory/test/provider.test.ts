import {
  AuthError,
  type BookingPage,
  PermanentError,
  TransientError,
  ValidationError,
  type WriteBackItem,
} from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { type BookingFactoryProviderOptions, createBookingFactoryProvider } from '../src/index.js';
import { FakeTbf, reservation } from './support/fake-tbf.js';
import { useMsw } from './support/setup.js';

const server = useMsw();
const window = { start: new Date('2026-05-25T00:00:00Z'), end: new Date('2026-06-30T00:00:00Z') };

function setup(
  seed: unknown[] = [],
  options: Partial<BookingFactoryProviderOptions> & { pageSize?: number } = {},
) {
  const { pageSize, ...rest } = options;
  const fake = new FakeTbf({ pageSize: pageSize ?? 50 });
  fake.seed('H1', seed);
  server.use(...fake.handlers());
  const provider = createBookingFactoryProvider({
    propertyId: 'P1',
    timezone: 'Europe/London',
    api: { baseUrl: fake.baseUrl, apiKey: fake.apiKey, hotelId: 'H1' },
    ...rest,
  });
  return { fake, provider };
}

async function all(pages: AsyncIterable<BookingPage>): Promise<BookingPage> {
  const out: BookingPage = { bookings: [], quarantined: [] };
  for await (const p of pages) {
    out.bookings.push(...p.bookings);
    out.quarantined.push(...p.quarantined);
  }
  return out;
}

function item(overrides: Partial<WriteBackItem> = {}): WriteBackItem {
  return {
    propertyId: 'P1',
    bookingId: '7:71',
    action: 'upsert',
    passcode: '583920',
    validFrom: new Date('2026-06-01T14:00:00Z'),
    validTo: new Date('2026-06-04T10:00:00Z'),
    resourceId: '101',
    roomId: '101',
    unitName: '101',
    externalIds: { tbfBookingId: '7', tbfRoomId: '101' },
    ref: null,
    ...overrides,
  };
}

describe('TBF provider: listing bookings', () => {
  it('maps each room line of a reservation to one core booking', async () => {
    const { provider } = setup([
      reservation(7, {
        rooms: [
          { id: 71, room_id: 101, room_name: 'Room 101' },
          { id: 72, room_id: 102, room_name: 'Room 102' },
        ],
      }),
    ]);
    const { bookings } = await all(provider.fetchBookings({ window }));
    expect(bookings).toEqual([
      {
        propertyId: 'P1',
        bookingId: '7:71',
        resourceId: '101',
        roomId: '101',
        unitName: '101',
        guestName: 'Ada Guest',
        arrivalDate: '2026-06-01',
        departureDate: '2026-06-04',
        checkInAt: null,
        checkOutAt: null,
        status: 'confirmed',
        referenceNumber: 'AAA-000007-W',
        externalIds: {
          tbfBookingId: '7',
          tbfRoomLineId: '71',
          tbfRoomId: '101',
          tbfRoomName: 'Room 101',
          tbfReference: 'AAA-000007-W',
        },
      },
      expect.objectContaining({ bookingId: '7:72', roomId: '102', unitName: '102' }),
    ]);
  });

  it('maps statuses, cancelled included', async () => {
    const { provider } = setup([
      reservation(1),
      reservation(2, { status: 'cancelled' }),
      reservation(3, { status: 'CHECKED_IN' }),
      reservation(4, { status: 'provisional' }),
    ]);
    const { bookings } = await all(provider.fetchBookings({ window }));
    expect(bookings.map((b) => [b.bookingId, b.status])).toEqual([
      ['1:11', 'confirmed'],
      ['2:21', 'cancelled'],
      ['3:31', 'confirmed'],
      ['4:41', 'unknown'],
    ]);
  });

  it('uses the contract’s wire format: path, Token header, local-date window, pages', async () => {
    const { provider, fake } = setup(
      Array.from({ length: 5 }, (_, i) => reservation(i + 1)),
      { pageSize: 2 },
    );
    const pages: BookingPage[] = [];
    for await (const p of provider.fetchBookings({
      window: { ...window, end: new Date('2026-06-30T23:30:00Z') },
    })) {
      pages.push(p);
    }
    expect(pages.map((p) => p.bookings.length)).toEqual([2, 2, 1]);
    const [first, second] = fake.requests;
    expect(first!.url.pathname).toBe('/partner/v1/hotels/H1/bookings');
    expect(first!.headers.get('Token')).toBe(fake.apiKey);
    expect(first!.url.searchParams.get('date_from')).toBe('2026-05-25');
    // 23:30 UTC on June 30th is July 1st, 00:30 in London (BST)
    expect(first!.url.searchParams.get('date_to')).toBe('2026-07-01');
    expect(first!.url.searchParams.get('page')).toBeNull();
    expect(second!.url.searchParams.get('page')).toBe('2');
  });

  it('quarantines malformed reservations and room lines, keeping the rest', async () => {
    const { provider } = setup([
      reservation(1),
      reservation(2, { date_from: '01/06/2026' }),
      reservation(3, { rooms: [] }),
      reservation(4, { rooms: [{ room_id: 5 }, { id: 42, room_id: 6 }] }),
      reservation(5, { date_from: '2026-06-05', date_to: '2026-06-02' }),
      { token: 'no-id' },
    ]);
    const { bookings, quarantined } = await all(provider.fetchBookings({ window }));
    expect(bookings.map((b) => b.bookingId)).toEqual(['1:11', '4:42']);
    expect(quarantined.map((q) => [q.recordId, q.reason])).toEqual([
      ['2', 'TBF booking date_from: expected YYYY-MM-DD'],
      ['3', 'TBF booking rooms: expected a non-empty array of room lines'],
      ['4', 'TBF booking rooms.id: missing room line id'],
      ['5', 'TBF booking departureDate: departureDate is before arrivalDate'],
      [null, 'TBF booking id: missing id'],
    ]);
  });

  it('maps HTTP failures to typed errors without leaking the API key', async () => {
    const { provider, fake } = setup([reservation(1)]);
    fake.fail('list', 503, { headers: { 'Retry-After': '12' } });
    const transient = await all(provider.fetchBookings({ window })).catch((e: Error) => e);
    expect(transient).toBeInstanceOf(TransientError);
    expect((transient as TransientError).retryAfterMs).toBe(12_000);
    fake.fail('list', 200, { body: { success: false, errors: [`bad key ${fake.apiKey}`] } });
    const permanent = await all(provider.fetchBookings({ window })).catch((e: Error) => e);
    expect(permanent).toBeInstanceOf(PermanentError);
    expect((permanent as Error).message).toBe('TBF list bookings failed with HTTP 400: bad key [redacted]');
    const wrongKey = createBookingFactoryProvider({
      propertyId: 'P1',
      timezone: 'UTC',
      api: { baseUrl: fake.baseUrl, apiKey: 'wrong-key-123', hotelId: 'H1' },
    });
    await expect(all(wrongKey.fetchBookings({ window }))).rejects.toBeInstanceOf(AuthError);
  });
});

describe('TBF provider: keycode write-back', () => {
  it('PUTs the keycode for the booking and room, idempotently', async () => {
    const { provider, fake } = setup([reservation(7)]);
    expect(await provider.writeBack!([item()])).toEqual([{ bookingId: '7:71', ok: true, ref: '7/101' }]);
    expect(await provider.writeBack!([item()])).toEqual([{ bookingId: '7:71', ok: true, ref: '7/101' }]);
    expect(fake.keycodes.size).toBe(1);
    expect(fake.keycode('7', '101')).toEqual({
      writes: 2,
      body: {
        keycode: '583920',
        valid_from: '2026-06-01T14:00:00.000Z',
        valid_to: '2026-06-04T10:00:00.000Z',
      },
    });
    const put = fake.requests.find((r) => r.method === 'PUT')!;
    expect(put.url.pathname).toBe('/partner/v1/hotels/H1/bookings/7/rooms/101/keycode');
    expect(put.headers.get('Token')).toBe(fake.apiKey);
  });

  it('removes the keycode on delete; removing a missing one succeeds', async () => {
    const { provider, fake } = setup([reservation(7)]);
    await provider.writeBack!([item()]);
    const remove = item({ action: 'delete', passcode: null });
    expect(await provider.writeBack!([remove])).toEqual([{ bookingId: '7:71', ok: true, ref: null }]);
    expect(fake.keycode('7', '101')).toBeUndefined();
    expect(await provider.writeBack!([remove])).toEqual([{ bookingId: '7:71', ok: true, ref: null }]);
  });

  it('reports per-item errors: unknown booking, missing ids, server failure', async () => {
    const { provider, fake } = setup([reservation(7), reservation(8)]);
    fake.fail('write', 502);
    const results = await provider.writeBack!([
      item(),
      item({ bookingId: '9:91', externalIds: { tbfBookingId: '9', tbfRoomId: '101' } }),
      item({ bookingId: 'x', externalIds: {}, resourceId: null }),
      item({ bookingId: '8:81', externalIds: { tbfBookingId: '8', tbfRoomId: '101' } }),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.name))).toEqual([
      'TransientError',
      'PermanentError',
      'PermanentError',
      'ok',
    ]);
    expect(!results[1]!.ok && results[1]!.error.message).toMatch(/HTTP 404: Booking not found/);
    for (const r of results) if (!r.ok) expect(r.error.message).not.toContain('583920');
  });
});

describe('TBF provider: configuration', () => {
  it('push-only: nothing to fetch, no write-back', async () => {
    const provider = createBookingFactoryProvider({
      propertyId: 'P1',
      timezone: 'UTC',
      webhookSecret: 'secret-123456',
    });
    expect(provider.capabilities).toMatchObject({ writeBack: false, webhooks: true });
    expect(provider.writeBack).toBeUndefined();
    expect(await all(provider.fetchBookings({ window }))).toEqual({ bookings: [], quarantined: [] });
  });

  it('rejects incomplete settings naming the field', () => {
    expect(() => createBookingFactoryProvider({ propertyId: 'P1', timezone: 'UTC' })).toThrow(
      ValidationError,
    );
    expect(() =>
      createBookingFactoryProvider({
        propertyId: 'P1',
        timezone: 'UTC',
        api: { baseUrl: 'ftp://x', apiKey: 'k', hotelId: 'H' },
      }),
    ).toThrow(/api\.baseUrl/);
    expect(() =>
      createBookingFactoryProvider({ propertyId: 'P1', timezone: 'Nowhere/X', webhookSecret: 's' }),
    ).toThrow(/timezone/);
  });

  it('write-back can be disabled by the contract', () => {
    const provider = createBookingFactoryProvider({
      propertyId: 'P1',
      timezone: 'UTC',
      api: { baseUrl: 'http://127.0.0.1:1', apiKey: 'k', hotelId: 'H' },
      contract: { writeKeycode: null },
    });
    expect(provider.writeBack).toBeUndefined();
    expect(provider.capabilities.writeBack).toBe(false);
  });
});
