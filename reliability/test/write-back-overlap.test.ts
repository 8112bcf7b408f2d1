import { openRuntime } from '@brafa/cli';
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
