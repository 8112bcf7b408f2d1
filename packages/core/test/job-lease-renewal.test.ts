import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import type { BookingPage, Interval, WriteBackItem } from '../src/index.js';
import { MemoryLock, MemoryPms, MemoryStore, makeProperty } from '../src/testing/index.js';
import { wrappedLock } from './support/wrapped-lock.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lock whose every write takes `ms` of real time (a slow gateway). */
const slowLock = (inner: MemoryLock, ms: number) =>
  wrappedLock(inner, 'slow', (write) => async (args) => {
    await sleep(ms);
    return write(args);
  });

/** Claims every job of `kind` it can, every 20 ms, for `forMs` (another worker). */
async function thief(store: MemoryStore, kind: string, forMs: number): Promise<string[]> {
  const stolen: string[] = [];
  const started = Date.now();
  while (Date.now() - started < forMs) {
    await sleep(20);
    const claimed = await store.claimJobs({
      owner: 'thief',
      limit: 10,
      leaseMs: 60_000,
      now: new Date(),
      kinds: [kind],
    });
    stolen.push(...claimed.map((j) => j.id));
  }
  return stolen;
}

/** `count` two-night stays, three days apart, all opening one shared door. */
async function staysOnOneDoor(count: number) {
  const store = new MemoryStore();
  const pms = new MemoryPms('P1');
  const memory = new MemoryLock();
  await store.upsertProperty(makeProperty({ id: 'P1' }));
  await store.replaceLockAssignments('P1', [{ propertyId: 'P1', lockId: 'DOOR', scope: 'property' }]);
  const soon = Date.now() + 2 * 86_400_000;
  pms.setBookings(
    Array.from({ length: count }, (_, i) => ({
      propertyId: 'P1',
      bookingId: `B${i + 1}`,
      roomId: 'R',
      unitName: String(i + 1),
      arrivalDate: new Date(soon + i * 3 * 86_400_000).toISOString().slice(0, 10),
      departureDate: new Date(soon + (i * 3 + 2) * 86_400_000).toISOString().slice(0, 10),
      status: 'confirmed' as const,
    })),
  );
  return { store, pms, memory };
}

describe('a lock job waiting for its lock', () => {
  it('keeps its lease, so another worker cannot reclaim it while it waits', async () => {
    // Three stays, one shared door: the second and third jobs wait behind the first.
    const { store, pms, memory } = await staysOnOneDoor(3);
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
    const stolen = await thief(store, 'lock', 1_400);
    const result = await dispatching;
    expect(stolen).toEqual([]);
    expect(result.byKind.lock).toBe(3);
    expect(result.retried).toBe(0);
    expect(memory.codesOn('DOOR')).toHaveLength(3);
  });
});

/** `started` resolves once `fire` is called (the slow PMS call has begun). */
function startSignal() {
  let fire = () => {};
  const started = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fire, started };
}

describe('a sync or write-back job running longer than its lease', () => {
  // Leases of 300 ms against a PMS that takes 800 ms: without renewal the job would be
  // reclaimable after 300 ms, and the other worker would run it a second time.
  const engineFor = (store: MemoryStore, memory: MemoryLock, provider: MemoryPms) =>
    createEngine({
      store,
      lock: memory,
      providers: () => provider,
      passcode: { secret: 'lease-renewal-secret' },
      workerId: 'w1',
      leaseMs: 300,
    });

  it('keeps a window sync job, so another worker cannot reclaim it while the PMS is slow', async () => {
    const { store, pms, memory } = await staysOnOneDoor(1);
    const fetching = startSignal();
    const slow = Object.assign(Object.create(pms) as MemoryPms, {
      async *fetchBookings(query: { window: Interval }): AsyncIterable<BookingPage> {
        fetching.fire();
        await sleep(800);
        yield* pms.fetchBookings(query);
      },
    });
    await store.enqueueJobs([{ kind: 'sync.bookings', propertyId: 'P1', payload: {} }], new Date());
    const dispatching = engineFor(store, memory, slow).dispatch({ propertyId: 'P1' });
    await fetching.started;
    const stolen = await thief(store, 'sync.bookings', 1_000);
    const result = await dispatching;
    expect(stolen).toEqual([]);
    expect(result.byKind['sync.bookings']).toBe(1);
    expect(result.retried).toBe(0);
    expect(memory.codesOn('DOOR')).toHaveLength(1);
  });

  it('keeps a write-back job and its property, so another worker cannot take either while the PMS is slow', async () => {
    const { store, pms, memory } = await staysOnOneDoor(1);
    const writing = startSignal();
    const slow = Object.assign(Object.create(pms) as MemoryPms, {
      async writeBack(items: WriteBackItem[]) {
        writing.fire();
        await sleep(800);
        return pms.writeBack(items);
      },
    });
    const engine = engineFor(store, memory, slow);
    await engine.syncProperty('P1');
    const dispatching = engine.dispatch({ propertyId: 'P1' });
    await writing.started;
    // Past the first lease (300 ms from the claim), another worker tries the property's lease.
    const [stolen, propertyTaken] = await Promise.all([
      thief(store, 'writeback', 1_000),
      sleep(550).then(() =>
        store.acquireLease('writeback:P1', 'other-worker', new Date(Date.now() + 60_000), new Date()),
      ),
    ]);
    const result = await dispatching;
    expect(stolen).toEqual([]);
    expect(propertyTaken).toBe(false);
    // Given back when the write-back ends (a renewal in flight must not take it again).
    expect(
      await store.acquireLease('writeback:P1', 'other-worker', new Date(Date.now() + 60_000), new Date()),
    ).toBe(true);
    expect(result.byKind.writeback).toBe(1);
    expect(result.retried).toBe(0);
    expect(pms.writtenFor('B1')?.passcode).toBe(memory.codesOn('DOOR')[0]?.passcode);
  });
});
