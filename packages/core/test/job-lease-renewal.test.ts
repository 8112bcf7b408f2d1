import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import { MemoryLock, MemoryPms, MemoryStore, makeProperty } from '../src/testing/index.js';
import { wrappedLock } from './support/wrapped-lock.js';

/** A lock whose every write takes `ms` of real time (a slow gateway). */
const slowLock = (inner: MemoryLock, ms: number) =>
  wrappedLock(inner, 'slow', (write) => async (args) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return write(args);
  });

describe('a lock job waiting for its lock', () => {
  it('keeps its lease, so another worker cannot reclaim it while it waits', async () => {
    const store = new MemoryStore();
    const pms = new MemoryPms('P1');
    const memory = new MemoryLock();
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    // Three stays, one shared door: the second and third jobs wait behind the first.
    await store.replaceLockAssignments('P1', [{ propertyId: 'P1', lockId: 'DOOR', scope: 'property' }]);
    const soon = Date.now() + 2 * 86_400_000;
    pms.setBookings(
      [0, 1, 2].map((i) => ({
        propertyId: 'P1',
        bookingId: `B${i}`,
        roomId: 'R',
        unitName: String(i),
        arrivalDate: new Date(soon + i * 3 * 86_400_000).toISOString().slice(0, 10),
        departureDate: new Date(soon + (i * 3 + 2) * 86_400_000).toISOString().slice(0, 10),
        status: 'confirmed' as const,
      })),
    );
    // A lease of 300 ms against operations of 500 ms: the last job waits ~1 s, then operates.
    const engine = createEngine({
      store,
      lock: slowLock(memory, 500),
      providers: () => pms,
      passcode: { secret: 'lease-renewal-secret' },
      workerId: 'w1',
      concurrency: 3,
      leaseMs: 300,
    });
    await engine.syncProperty('P1');
    const dispatching = engine.dispatch({ propertyId: 'P1' });
    const stolen: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 1_400) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const claimed = await store.claimJobs({
        owner: 'thief',
        limit: 10,
        leaseMs: 60_000,
        now: new Date(),
        kinds: ['lock'],
      });
      stolen.push(...claimed.map((j) => j.id));
    }
    const result = await dispatching;
    expect(stolen).toEqual([]);
    expect(result.byKind.lock).toBe(3);
    expect(result.retried).toBe(0);
    expect(memory.codesOn('DOOR')).toHaveLength(3);
  });
});
