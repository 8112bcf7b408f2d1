import { openRuntime } from '@brafa/cli';
import { createEngine } from '@brafa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants, formatViolation } from './support/invariants.js';
import { startWorld, tempDir, type World } from './support/world.js';

/**
 * Found by the chaos suite: a worker killed during a write-back leaves that job "running"; once
 * its lease expires it is due again next to the newer write-back job of the same property, the
 * next worker claims both in one batch, both read "no token yet" and both add one — two MEWS
 * tokens for one stay. Reproduced here exactly, in one process.
 */
describe('two write-back jobs of one property due at once', () => {
  const tmp = tempDir('brafa-overlap-');
  let world: World;
  beforeAll(async () => {
    world = await startWorld(
      {
        scenario: {
          seed: 8,
          properties: [{ id: 'P1', provider: 'mews', units: 4, reservations: { count: 6, withinDays: 10 } }],
        },
      },
      tmp.dir,
    );
  });
  afterAll(async () => {
    await world.close();
    tmp.cleanup();
  });

  it('write each MEWS token once', async () => {
    const rt = await openRuntime(world.config);
    try {
      await rt.engine.syncProperty('P1');
      // A worker claims the write-back job and dies: its lease is already over.
      const dead = await rt.store.claimJobs({
        owner: 'killed-worker',
        limit: 10,
        leaseMs: 0,
        now: new Date(),
        kinds: ['writeback'],
      });
      expect(dead).toHaveLength(1);
      // The lock jobs finish and enqueue a new write-back; then both write-backs are due together.
      await rt.engine.dispatch();
    } finally {
      await rt.close();
    }
    const tokens = world.running.sandbox.inspect.mewsTokens({ propertyId: 'P1' });
    expect(tokens.length).toBeGreaterThan(2);
    expect(new Set(tokens.map((t) => t.ServiceOrderId)).size).toBe(tokens.length);
    expect(
      checkInvariants(world.running.sandbox, { step: 'overlap', now: new Date() }).map(formatViolation),
    ).toEqual([]);
  });
});

describe('two workers run write-back jobs of one property at once', () => {
  const tmp = tempDir('brafa-overlap2-');
  let world: World;
  beforeAll(async () => {
    world = await startWorld(
      {
        scenario: {
          seed: 9,
          properties: [{ id: 'P1', provider: 'mews', units: 4, reservations: { count: 6, withinDays: 10 } }],
        },
      },
      tmp.dir,
      // One job at a time per worker, so each of the two claims one write-back job.
      { concurrency: 1 },
    );
  });
  afterAll(async () => {
    await world.close();
    tmp.cleanup();
  });

  // Seen in the multi-worker suite under load: worker A runs the property's write-back, worker
  // B finishes a lock job, enqueues a new write-back and claims it while A's still runs; both
  // read "no token", both added. Fixed with a per-property write-back lease in the store.
  it('write each MEWS token once', async () => {
    const a = await openRuntime(world.config, { workerId: 'worker-a' });
    // A second worker on the same database (one SQLite connection cannot be opened twice in
    // one process with both writing, so worker B shares A's store object, not its engine).
    const b = {
      engine: createEngine({
        store: a.store,
        lock: a.lock,
        providers: (p) => a.providers.get(p.id),
        passcode: { secret: world.config.secret },
        workerId: 'worker-b',
        concurrency: 1,
      }),
    };
    try {
      await a.engine.syncProperty('P1');
      await a.engine.dispatch();
      // Undo the write-back state, then queue two write-back jobs (one running elsewhere is
      // what the race looks like; two queued ones show it deterministically).
      for (const booking of await a.store.listBookings('P1'))
        await a.store.updateBookingState(
          'P1',
          booking.bookingId,
          { writeBackKey: null, writeBackRef: null },
          new Date(),
        );
      for (const t of world.running.sandbox.scenario.world.mews.tokens) t.IsActive = false;
      const job = { kind: 'writeback', propertyId: 'P1', payload: {} };
      await a.store.enqueueJobs([job, job], new Date());
      await Promise.all([a.engine.dispatch(), b.engine.dispatch()]);
    } finally {
      await a.close();
    }
    const tokens = world.running.sandbox.inspect.mewsTokens({ propertyId: 'P1' });
    expect(tokens.length).toBeGreaterThan(2);
    expect(new Set(tokens.map((t) => t.ServiceOrderId)).size).toBe(tokens.length);
  });
});
