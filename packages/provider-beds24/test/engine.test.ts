import { createEngine, ManualClock } from '@brafa/core';
import { MemoryLock, MemoryStore, makeProperty } from '@brafa/core/testing';
import { describe, expect, it } from 'vitest';
import { createBeds24Provider, createGodoProvider } from '../src/index.js';
import { FakeBeds24 } from './support/fake-beds24.js';
import { BEDS24_PROPERTY, booking, useMsw } from './support/setup.js';

const server = useMsw();

async function setup(kind: 'beds24' | 'godo') {
  const clock = new ManualClock('2026-05-20T08:00:00Z');
  const fake = new FakeBeds24({ now: () => clock.now() });
  fake.seed([
    booking(1),
    booking(2, { unitId: 2, arrival: '2026-06-10', departure: '2026-06-12' }),
    booking(3, { status: 'cancelled' }),
  ]);
  server.use(...fake.handlers());
  const settings = {
    propertyId: 'P1',
    beds24PropertyId: BEDS24_PROPERTY,
    timezone: 'Europe/Prague',
    refreshToken: fake.refreshToken,
    baseUrl: fake.baseUrl,
    clock,
  };
  const provider = kind === 'godo' ? createGodoProvider(settings) : createBeds24Provider(settings);
  const store = new MemoryStore();
  await store.upsertProperty(makeProperty({ id: 'P1', provider: kind, timezone: 'Europe/Prague' }));
  await store.replaceLockAssignments('P1', [
    { propertyId: 'P1', lockId: 'L-101', scope: 'unit', roomId: '316001', unitName: '1' },
    { propertyId: 'P1', lockId: 'L-102', scope: 'unit', roomId: '316001', unitName: '2' },
    { propertyId: 'P1', lockId: 'L-door', scope: 'property' },
  ]);
  const lock = new MemoryLock();
  const engine = createEngine({
    store,
    lock,
    providers: (p) => (p.id === 'P1' ? provider : undefined),
    passcode: { length: 6, secret: 'engine-test-secret-0123456789' },
    clock,
    random: () => 0.5,
  });
  const window = { start: new Date('2026-05-20T00:00:00Z'), end: new Date('2026-07-31T00:00:00Z') };
  const cycle = async () => {
    await engine.syncProperty('P1', { window });
    return engine.dispatch({ untilIdle: true });
  };
  return { fake, lock, engine, cycle, store, clock };
}

for (const kind of ['beds24', 'godo'] as const) {
  describe(`engine end to end with ${kind}`, () => {
    it('puts codes on the locks, writes them back once, and revokes on cancellation', async () => {
      const { fake, lock, cycle, store } = await setup(kind);
      await cycle();

      const b1 = await store.getBooking('P1', '1');
      const b2 = await store.getBooking('P1', '2');
      expect(b1?.status).toBe('confirmed');
      expect((await store.getBooking('P1', '3'))?.status).toBe('cancelled');
      const codes = await store.listAccessCodes({ propertyId: 'P1' });
      const pinOf = (bookingId: string) => codes.find((c) => c.bookingId === bookingId)!.passcode;
      expect(lock.codesOn('L-101').map((c) => c.passcode)).toEqual([pinOf('1')]);
      expect(lock.codesOn('L-102').map((c) => c.passcode)).toEqual([pinOf('2')]);
      expect(lock.codesOn('L-door')).toHaveLength(2);
      // The PMS shows each guest's PIN in our info item, exactly once; the cancelled one has none.
      expect(fake.infoItems(1, 'BRAFA_KEY').map((i) => i.text)).toEqual([pinOf('1')]);
      expect(fake.infoItems(2, 'BRAFA_KEY').map((i) => i.text)).toEqual([pinOf('2')]);
      expect(fake.infoItems(3, 'BRAFA_KEY')).toEqual([]);
      expect(b1 && b2).toBeTruthy();
      const posts = fake.requestsTo('POST', '/bookings').length;
      expect(posts).toBe(1); // both bookings in one batched POST

      // A no-change re-sync: no lock call, no PMS write.
      const lockCalls = lock.calls.length;
      await cycle();
      expect(lock.calls.length).toBe(lockCalls);
      expect(fake.requestsTo('POST', '/bookings')).toHaveLength(posts);

      // Booking 1 is cancelled in Beds24: its codes go and its info item is removed.
      fake.bookings.get(1)!.status = 'cancelled';
      await cycle();
      expect(lock.codesOn('L-101')).toEqual([]);
      expect(lock.codesOn('L-door').map((c) => c.passcode)).toEqual([pinOf('2')]);
      expect(fake.infoItems(1, 'BRAFA_KEY')).toEqual([]);
      expect(fake.infoItems(2, 'BRAFA_KEY').map((i) => i.text)).toEqual([pinOf('2')]);
      expect(
        (await store.listWriteBackLogs({ propertyId: 'P1' })).every((l) => !l.detail.includes(pinOf('2'))),
      ).toBe(true);
    });

    it('a lost write-back response is retried without a duplicate info item', async () => {
      const { fake, engine, cycle, store, clock } = await setup(kind);
      fake.fail('POST', '/bookings', 503, { afterApply: true });
      await cycle();
      // The POST was applied but its answer lost: the engine recorded a failure to retry.
      expect((await store.getBooking('P1', '1'))?.writeBackError).toBeTruthy();
      for (let i = 0; i < 10 && (await store.getBooking('P1', '1'))?.writeBackError; i++) {
        clock.advance(10 * 60_000); // let the job's backoff pass
        await engine.dispatch({ untilIdle: true });
      }
      const after = await store.getBooking('P1', '1');
      expect(after?.writeBackError).toBeNull();
      expect(after?.writeBackRef).toBe(String(fake.infoItems(1, 'BRAFA_KEY')[0]!.id));
      expect(fake.infoItems(1, 'BRAFA_KEY')).toHaveLength(1);
      expect(fake.infoItems(2, 'BRAFA_KEY')).toHaveLength(1);
      // The retry read first and found the items: it never posted them again.
      expect(fake.requestsTo('POST', '/bookings')).toHaveLength(1);
    });
  });
}
