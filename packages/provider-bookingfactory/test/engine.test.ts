import { createEngine, createWebhookHandler, ManualClock, type PmsProvider } from '@brafa/core';
import { MemoryLock, MemoryStore, makeProperty } from '@brafa/core/testing';
import { describe, expect, it } from 'vitest';
import { createBookingFactoryProvider } from '../src/index.js';
import { FakeTbf, reservation } from './support/fake-tbf.js';
import { useMsw } from './support/setup.js';

const server = useMsw();
const secret = 'tbf-push-secret-0123456789';

async function setup(provider: PmsProvider) {
  const clock = new ManualClock('2026-05-20T08:00:00Z');
  const store = new MemoryStore();
  await store.upsertProperty(
    makeProperty({ id: 'P1', provider: 'bookingfactory', timezone: 'Europe/London' }),
  );
  await store.replaceLockAssignments('P1', [
    { propertyId: 'P1', lockId: 'L-101', scope: 'unit', roomId: '101', unitName: '101' },
    { propertyId: 'P1', lockId: 'L-102', scope: 'unit', roomId: '102', unitName: '102' },
  ]);
  const lock = new MemoryLock();
  const providers = (p: { id: string }) => (p.id === 'P1' ? provider : undefined);
  const engine = createEngine({
    store,
    lock,
    providers,
    passcode: { length: 6, secret: 'engine-test-secret-0123456789' },
    clock,
    random: () => 0.5,
  });
  return { store, lock, engine, clock, webhook: createWebhookHandler({ store, providers, clock }) };
}

describe('engine end to end with The Booking Factory', () => {
  it('pull contract: codes on the locks, keycodes written back once, removed on cancellation', async () => {
    const fake = new FakeTbf();
    fake.seed('H1', [
      reservation(7, {
        rooms: [
          { id: 71, room_id: 101 },
          { id: 72, room_id: 102 },
        ],
      }),
    ]);
    server.use(...fake.handlers());
    const provider = createBookingFactoryProvider({
      propertyId: 'P1',
      timezone: 'Europe/London',
      api: { baseUrl: fake.baseUrl, apiKey: fake.apiKey, hotelId: 'H1' },
    });
    const { store, lock, engine } = await setup(provider);
    const window = { start: new Date('2026-05-20T00:00:00Z'), end: new Date('2026-07-31T00:00:00Z') };
    const cycle = async () => {
      await engine.syncProperty('P1', { window });
      await engine.dispatch({ untilIdle: true });
    };
    await cycle();

    const codes = await store.listAccessCodes({ propertyId: 'P1' });
    const pin = (bookingId: string) => codes.find((c) => c.bookingId === bookingId)!.passcode;
    expect(lock.codesOn('L-101').map((c) => c.passcode)).toEqual([pin('7:71')]);
    expect(lock.codesOn('L-102').map((c) => c.passcode)).toEqual([pin('7:72')]);
    expect(fake.keycode('7', '101')?.body.keycode).toBe(pin('7:71'));
    expect(fake.keycode('7', '102')?.body.keycode).toBe(pin('7:72'));
    // the keycode window is the lock's window
    const code71 = codes.find((c) => c.bookingId === '7:71')!;
    expect(fake.keycode('7', '101')?.body.valid_from).toBe(code71.validFrom.toISOString());

    const writes = fake.requests.filter((r) => r.method === 'PUT').length;
    await cycle();
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(writes);

    fake.update('H1', '7', { status: 'cancelled' });
    await cycle();
    expect(lock.codesOn('L-101')).toEqual([]);
    expect(lock.codesOn('L-102')).toEqual([]);
    expect(fake.keycodes.size).toBe(0);
  });

  it('push only: a pushed reservation gets its codes through the webhook handler', async () => {
    const provider = createBookingFactoryProvider({
      propertyId: 'P1',
      timezone: 'Europe/London',
      webhookSecret: secret,
    });
    const { store, lock, engine, webhook } = await setup(provider);
    const push = (body: unknown, auth = `Bearer ${secret}`) =>
      webhook({
        propertyId: 'P1',
        method: 'POST',
        query: {},
        headers: { authorization: auth },
        body: JSON.stringify(body),
      });

    expect((await push({ bookings: [reservation(5)] }, 'Bearer wrong')).status).toBe(401);
    const accepted = await push({ bookings: [reservation(5), { id: 6, date_from: 'later' }] });
    expect(accepted.status).toBe(202);
    await engine.dispatch({ untilIdle: true });
    const [code] = await store.listAccessCodes({ propertyId: 'P1' });
    expect(code?.bookingId).toBe('5:51');
    expect(lock.codesOn('L-101').map((c) => c.passcode)).toEqual([code!.passcode]);
    expect((await store.listQuarantine({ propertyId: 'P1' })).map((q) => q.recordId)).toEqual(['6']);

    await push({ bookings: [reservation(5, { status: 'cancelled' })] });
    await engine.dispatch({ untilIdle: true });
    expect(lock.codesOn('L-101')).toEqual([]);
  });
});
