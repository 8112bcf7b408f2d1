import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import { LOCK_LEASE_MS, LockLeases, lockLeaseKey } from '../src/engine/lock-leases.js';
import { TransientError } from '../src/errors/errors.js';
import { ManualClock } from '../src/ports/clock.js';
import { MemoryLock, MemoryPms, MemoryStore, makeProperty } from '../src/testing/index.js';
import { type WriteWrapper, wrappedLock } from './support/wrapped-lock.js';

const T0 = '2026-04-20T00:00:00Z';
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('LockLeases', () => {
  it('waits for another worker to give the lock back, then holds it', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(T0);
    const a = new LockLeases(store, clock, 'w1');
    const b = new LockLeases(store, clock, 'w2');
    await a.hold('L1');
    let bHolds = false;
    const waiting = b.hold('L1').then(() => {
      bHolds = true;
    });
    for (let i = 0; i < 30; i++) await tick();
    expect(bHolds).toBe(false);
    // Renewing is fine for the holder; another lock is free for anyone.
    await a.hold('L1');
    await b.hold('L2');
    await a.release('L1');
    await waiting;
    expect(bHolds).toBe(true);
    // Released: a release by a worker that does not hold it changes nothing.
    await a.release('L1');
    expect(await store.acquireLease(lockLeaseKey('L1'), 'w3', clock.now(), clock.now())).toBe(false);
  });

  it('gives up after its wait with a retryable error naming the lock', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(T0);
    await new LockLeases(store, clock, 'w1').hold('L1');
    const impatient = new LockLeases(store, clock, 'w2', 50);
    const error = await impatient.hold('L1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe('lock L1 is busy with an operation of another worker');
  });

  it('a worker that keeps a lock busy gives it up to a waiting worker after its fair share', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(T0);
    // A deep backlog: w1 renews its hold for one operation after another, never idle.
    const a = new LockLeases(store, clock, 'w1', 60_000, 30);
    const b = new LockLeases(store, clock, 'w2', 60_000, 30);
    await a.hold('L1');
    let bHolds = false;
    const waiting = b.hold('L1').then(() => {
      bHolds = true;
    });
    let aOperations = 0;
    const busyA = (async () => {
      while (!bHolds) {
        await a.hold('L1');
        if (bHolds) break;
        aOperations++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const started = performance.now();
    await waiting;
    // Without the fair share w2 would wait forever (w1's lane never empties), then give up.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(aOperations).toBeGreaterThan(1);
    // w1 now waits its turn in the same way, and gets it once w2 is done.
    let aHoldsAgain = false;
    const aWaits = busyA
      .then(() => a.hold('L1'))
      .then(() => {
        aHoldsAgain = true;
      });
    for (let i = 0; i < 30; i++) await tick();
    expect(aHoldsAgain).toBe(false);
    await b.release('L1');
    await aWaits;
    expect(aHoldsAgain).toBe(true);
  });

  it('keeps the lock past its fair share when nobody else waits for it', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(T0);
    const a = new LockLeases(store, clock, 'w1', 60_000, 1);
    await a.hold('L1');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await a.hold('L1');
    // No step aside (that would take a second).
    expect(performance.now() - started).toBeLessThan(500);
    expect(await store.acquireLease(lockLeaseKey('L1'), 'w3', clock.now(), clock.now())).toBe(false);
  });

  it("parks the waiting job's permit while another worker holds the lock, and only then", async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(T0);
    const a = new LockLeases(store, clock, 'w1');
    const b = new LockLeases(store, clock, 'w2', 200);
    const calls: string[] = [];
    const parking = {
      park: () => void calls.push('park'),
      unpark: async () => void calls.push('unpark'),
    };
    // Free: taken at once, the permit kept.
    await b.hold('FREE', parking);
    expect(calls).toEqual([]);
    // Held elsewhere: parked for the wait, the permit back before the job goes on.
    await a.hold('L1');
    const waiting = b.hold('L1', parking);
    for (let i = 0; i < 5; i++) await tick();
    expect(calls).toEqual(['park']);
    await a.release('L1');
    await waiting;
    expect(calls).toEqual(['park', 'unpark']);
    // Gave up after its wait: the permit is back too (the job then fails and retries).
    calls.length = 0;
    await a.hold('L2');
    await expect(b.hold('L2', parking)).rejects.toThrow(TransientError);
    expect(calls).toEqual(['park', 'unpark']);
  });

  it('a hold left by a dead worker lapses after LOCK_LEASE_MS', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(T0);
    await new LockLeases(store, clock, 'dead').hold('L1');
    clock.advance(LOCK_LEASE_MS);
    await new LockLeases(store, clock, 'w2', 50).hold('L1');
  });
});

/**
 * A lock cloud that fails an operation on a lock while another one on it is under way ("the
 * lock is busy"), and remembers how many it ever saw at once.
 */
function busyLock(inner: MemoryLock, operationMs: number) {
  const running = new Map<string, number>();
  const stats = { mostAtOnce: 0, busy: 0 };
  const guarded: WriteWrapper = (fn) => async (args) => {
    const now = running.get(args.lockId) ?? 0;
    if (now > 0) {
      stats.busy++;
      throw new TransientError('the lock is busy', { retryAfterMs: 10 });
    }
    running.set(args.lockId, 1);
    stats.mostAtOnce = Math.max(stats.mostAtOnce, now + 1);
    try {
      await new Promise((resolve) => setTimeout(resolve, operationMs));
      return await fn(args);
    } finally {
      running.set(args.lockId, 0);
    }
  };
  return { lock: wrappedLock(inner, 'busy-when-shared', guarded), stats };
}

describe('workers sharing a store', () => {
  async function twoWorkers(lockLeases: boolean, names: [string, string] = ['w1', 'w2']) {
    const store = new MemoryStore();
    const pms = new MemoryPms('P1');
    const memory = new MemoryLock();
    const { lock, stats } = busyLock(memory, 3);
    const clock = new ManualClock(T0);
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    // Every stay opens its room and the entrance: the entrance gets an operation per stay.
    await store.replaceLockAssignments('P1', [
      { propertyId: 'P1', lockId: 'ENTRANCE', scope: 'property' },
      ...Array.from({ length: 12 }, (_, i) => ({
        propertyId: 'P1',
        lockId: `L${i}`,
        scope: 'unit' as const,
        roomId: 'R',
        unitName: String(i),
      })),
    ]);
    pms.setBookings(
      Array.from({ length: 12 }, (_, i) => ({
        propertyId: 'P1',
        bookingId: `B${i}`,
        roomId: 'R',
        unitName: String(i),
        arrivalDate: '2026-04-25',
        departureDate: '2026-04-27',
        status: 'confirmed' as const,
      })),
    );
    const engine = (workerId: string) =>
      createEngine({
        store,
        lock,
        providers: () => pms,
        passcode: { secret: 'two-workers-secret' },
        clock,
        workerId,
        concurrency: 6,
        lockLeases,
        retry: { maxAttempts: 5, baseDelayMs: 0, maxDelayMs: 0, retryAfterCapMs: 0 },
      });
    const [w1, w2] = [engine(names[0]), engine(names[1])];
    await w1.syncProperty('P1');
    const [r1, r2] = await Promise.all([w1.dispatch(), w2.dispatch()]);
    return { store, memory, stats, r1, r2 };
  }

  it('never operate on one lock at once when the engines hold lock leases', async () => {
    const { store, memory, stats, r1, r2 } = await twoWorkers(true);
    expect(stats.busy).toBe(0);
    expect(stats.mostAtOnce).toBe(1);
    // Both did lock work, and every code is on its door.
    expect(r1.byKind.lock).toBeGreaterThan(0);
    expect(r2.byKind.lock).toBeGreaterThan(0);
    const codes = await store.listAccessCodes({ propertyId: 'P1' });
    expect(codes).toHaveLength(24);
    expect(codes.every((c) => c.state === 'active')).toBe(true);
    expect(memory.codesOn('ENTRANCE')).toHaveLength(12);
    // Every hold was given back.
    expect(await store.acquireLease(lockLeaseKey('ENTRANCE'), 'w3', new Date(T0), new Date(T0))).toBe(true);
  });

  it('exclude each other even when both were given the same worker name', async () => {
    const { stats } = await twoWorkers(true, ['host-a', 'host-a']);
    expect(stats.busy).toBe(0);
    expect(stats.mostAtOnce).toBe(1);
  });

  it('without them, two engines do collide on the shared entrance (what the leases prevent)', async () => {
    const { stats } = await twoWorkers(false);
    expect(stats.busy).toBeGreaterThan(0);
  });
});

describe('audit --fix', () => {
  it('removes an orphan code under the lock lease, after another worker is done with the lock', async () => {
    const store = new MemoryStore();
    const memory = new MemoryLock();
    const clock = new ManualClock(T0);
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    await store.replaceLockAssignments('P1', [{ propertyId: 'P1', lockId: 'L1', scope: 'property' }]);
    await memory.addCode({
      lockId: 'L1',
      passcode: '503917',
      name: 'brafa:GONE',
      validFrom: new Date('2026-04-21T13:00:00Z'),
      validTo: new Date('2026-04-23T09:00:00Z'),
    });
    const engine = createEngine({
      store,
      lock: memory,
      providers: () => new MemoryPms('P1'),
      passcode: { secret: 'audit-lease-secret' },
      clock,
      workerId: 'w1',
      lockLeases: true,
    });
    // Another worker is operating on L1.
    const other = new LockLeases(store, clock, 'w2');
    await other.hold('L1');
    const audit = engine.audit('P1', { fix: true });
    for (let i = 0; i < 30; i++) await tick();
    expect(memory.codesOn('L1')).toHaveLength(1);
    await other.release('L1');
    const report = await audit;
    expect(report.findings.map((f) => [f.kind, f.fixed])).toEqual([['orphan', true]]);
    expect(memory.codesOn('L1')).toHaveLength(0);
    // And it gave the lock back.
    expect(await store.acquireLease(lockLeaseKey('L1'), 'w3', new Date(T0), new Date(T0))).toBe(true);
  });
});
