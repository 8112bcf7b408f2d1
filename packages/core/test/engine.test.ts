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
