import { describe, expect, it } from 'vitest';
import { describeEngineConformance, MemoryStore } from '../src/testing/index.js';

describeEngineConformance('in-memory store', { create: async () => new MemoryStore() });

describe('write-back router', () => {
  it('a provider that cannot write back is reported once and skipped, locks still get codes', async () => {
    const { createEngine } = await import('../src/engine/engine.js');
    const { ManualClock } = await import('../src/ports/clock.js');
    const { makeProperty, MemoryLock, MemoryPms } = await import('../src/testing/index.js');
    const store = new MemoryStore();
    const pms = new MemoryPms('P1');
    const readOnly = {
      kind: 'read-only-pms',
      propertyId: 'P1',
      capabilities: { ...pms.capabilities, writeBack: false },
      fetchBookings: pms.fetchBookings.bind(pms),
    };
    const lock = new MemoryLock();
    const events: string[] = [];
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    await store.replaceLockAssignments('P1', [{ propertyId: 'P1', lockId: 'L1', scope: 'property' }]);
    const engine = createEngine({
      store,
      lock,
      providers: () => readOnly,
      passcode: { secret: 'router-secret' },
      clock: new ManualClock('2026-04-20T00:00:00Z'),
      onEvent: (e) => events.push(e.type),
    });
    pms.setBookings([
      {
        propertyId: 'P1',
        bookingId: 'B1',
        roomId: 'R',
        unitName: '1',
        arrivalDate: '2026-04-25',
        departureDate: '2026-04-27',
        status: 'confirmed',
      },
      {
        propertyId: 'P1',
        bookingId: 'B2',
        roomId: 'R',
        unitName: '2',
        arrivalDate: '2026-04-25',
        departureDate: '2026-04-27',
        status: 'confirmed',
      },
    ]);
    await engine.run();
    pms.updateBooking('B1', { departureDate: '2026-04-28' });
    await engine.run();
    expect(lock.codesOn('L1')).toHaveLength(2);
    expect(events.filter((e) => e === 'writeback.unsupported')).toHaveLength(1);
    expect((await store.countJobs()).dead).toBe(0);
  });
});

describe('concurrent plans of one property', () => {
  /**
   * Several workers plan the same property at once; the compare-and-set on each code row lets
   * one win. Here the store makes the first write of each kind lose, as if another worker's
   * plan had just committed, and the engine must roll back and plan again from fresh reads.
   */
  it('a plan that loses a row to another plan rolls back and plans again', async () => {
    const { createEngine } = await import('../src/engine/engine.js');
    const { ManualClock } = await import('../src/ports/clock.js');
    const { makeProperty, MemoryLock, MemoryPms } = await import('../src/testing/index.js');
    const memory = new MemoryStore();
    let transactions = 0;
    const lose = { update: false, insert: false };
    const losing = (tx: typeof memory) =>
      new Proxy(tx, {
        get(target, prop, receiver) {
          if (prop === 'updateAccessCode' && lose.update)
            return async (...args: Parameters<typeof memory.updateAccessCode>) => {
              if (args[2]?.expectedRevision === undefined) return target.updateAccessCode(...args);
              lose.update = false;
              return false;
            };
          if (prop === 'insertAccessCodes' && lose.insert)
            return async (codes: Parameters<typeof memory.insertAccessCodes>[0]) => {
              lose.insert = false;
              await target.insertAccessCodes(codes.slice(0, 1)); // a partial write, to be rolled back
              return codes.map((c) => c.id);
            };
          return Reflect.get(target, prop, receiver);
        },
      });
    const store = new Proxy(memory, {
      get(target, prop, receiver) {
        if (prop === 'transaction')
          return <T>(fn: (tx: typeof memory) => Promise<T>) => {
            transactions++;
            return target.transaction((tx) => fn(losing(tx as typeof memory)));
          };
        return Reflect.get(target, prop, receiver);
      },
    });
    const pms = new MemoryPms('P1');
    const lock = new MemoryLock();
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    await store.replaceLockAssignments('P1', [{ propertyId: 'P1', lockId: 'L1', scope: 'property' }]);
    const engine = createEngine({
      store,
      lock,
      providers: () => pms,
      passcode: { secret: 'conflict-secret' },
      clock: new ManualClock('2026-04-20T00:00:00Z'),
    });
    const booking = (id: string, departureDate: string) => ({
      propertyId: 'P1',
      bookingId: id,
      roomId: 'R',
      unitName: id,
      arrivalDate: '2026-04-25',
      departureDate,
      status: 'confirmed' as const,
    });

    pms.setBookings([booking('B1', '2026-04-27'), booking('B2', '2026-04-27')]);
    lose.insert = true;
    transactions = 0;
    const first = await engine.syncProperty('P1');
    expect(lose.insert).toBe(false);
    expect(first.operations).toBe(2);
    expect(transactions).toBeGreaterThanOrEqual(2);
    expect((await store.listAccessCodes({ propertyId: 'P1' })).map((c) => c.state)).toEqual([
      'pending',
      'pending',
    ]);
    expect((await store.countJobs()).queued).toBe(3); // two lock jobs and one write-back, once each
    await engine.dispatch();

    pms.updateBooking('B1', { departureDate: '2026-04-28' });
    lose.update = true;
    await engine.syncProperty('P1');
    expect(lose.update).toBe(false);
    await engine.dispatch();
    const onLock = lock.codesOn('L1');
    expect(onLock).toHaveLength(2);
    const codes = await store.listAccessCodes({ propertyId: 'P1' });
    expect(codes.every((c) => c.state === 'active')).toBe(true);
    const b1 = codes.find((c) => c.bookingId === 'B1')!;
    expect(onLock.find((c) => c.lockCodeId === b1.lockCodeId)?.validTo).toEqual(b1.validTo);
    expect(b1.validTo.toISOString().startsWith('2026-04-28')).toBe(true);
  });
});

describe('large write-backs', () => {
  it('go to the PMS in chunks of 1,000 items, each chunk stored as soon as it is answered', async () => {
    const { createEngine } = await import('../src/engine/engine.js');
    const { ManualClock } = await import('../src/ports/clock.js');
    const { TransientError } = await import('../src/errors/errors.js');
    const { makeProperty, MemoryLock, MemoryPms } = await import('../src/testing/index.js');
    const store = new MemoryStore();
    const pms = new MemoryPms('P1', { pageSize: 1000 });
    const lock = new MemoryLock({ capacity: 5000 });
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    await store.replaceLockAssignments('P1', [{ propertyId: 'P1', lockId: 'L1', scope: 'property' }]);
    const clock = new ManualClock('2026-04-20T00:00:00Z');
    const engine = createEngine({
      store,
      lock,
      providers: () => pms,
      passcode: { secret: 'chunk-secret', length: 8 },
      clock,
      concurrency: 64,
    });
    pms.setBookings(
      Array.from({ length: 2500 }, (_, i) => ({
        propertyId: 'P1',
        bookingId: `B${String(i).padStart(4, '0')}`,
        roomId: 'R',
        unitName: String(i),
        arrivalDate: '2026-04-25',
        departureDate: '2026-04-27',
        status: 'confirmed' as const,
      })),
    );
    // The second chunk's call fails as a whole.
    const write = pms.writeBack.bind(pms);
    let calls = 0;
    pms.writeBack = async (items) => {
      calls++;
      if (calls === 2) {
        const error = new TransientError('PMS unavailable');
        return items.map((i) => ({ bookingId: i.bookingId, ok: false as const, error }));
      }
      return write(items);
    };
    const first = await engine.run();
    expect(first.dispatch.retried).toBe(1);
    expect(calls).toBe(3);
    const bookings = await store.listBookings('P1');
    expect(bookings.filter((b) => b.writeBackKey)).toHaveLength(1500);
    expect(bookings.filter((b) => b.writeBackError)).toHaveLength(1000);

    // The retry sends only what is still behind: one chunk, one call.
    clock.advance(10 * 60_000);
    await engine.dispatch();
    expect(calls).toBe(4);
    expect(pms.writes.at(-1)).toHaveLength(1000);
    const after = await store.listBookings('P1');
    expect(after.filter((b) => b.writeBackKey)).toHaveLength(2500);
    expect(after.filter((b) => b.writeBackError)).toHaveLength(0);
  });
});
