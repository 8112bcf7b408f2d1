import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brafaInProcess } from './support/cli-in-process.js';
import { checkInvariants, formatViolation } from './support/invariants.js';
import { startWorld, tempDir, type World } from './support/world.js';

/**
 * Found by the chaos suite: after a room move that keeps the guest's digits and dates, the
 * locks followed the guest but the MEWS access token stayed on the old room's resource,
 * because the write-back fingerprint covered the PIN and its window only. MEWS (and a door
 * system reading MEWS tokens) then tied the PIN to a room the guest no longer has.
 */
describe('a room move reaches the PMS write-back', () => {
  const tmp = tempDir('brafa-move-');
  let world: World;
  beforeAll(async () => {
    world = await startWorld(
      {
        scenario: {
          seed: 5,
          properties: [
            {
              id: 'P1',
              provider: 'mews',
              units: 4,
              entranceLock: true,
              reservations: [],
            },
          ],
        },
      },
      tmp.dir,
    );
  });
  afterAll(async () => {
    await world.close();
    tmp.cleanup();
  });

  it('moves the MEWS token to the new resource (same PIN, same window)', async () => {
    const { scenario, inspect } = world.running.sandbox;
    // A stay starting tomorrow, so it is in the sync window whatever today is.
    const today = new Date();
    const day = (n: number) => new Date(today.getTime() + n * 86_400_000).toISOString().slice(0, 10);
    const stay = scenario.addReservation('P1', {
      unit: '101',
      arrival: day(1),
      departure: day(3),
      guest: 'Ada Guest',
    });
    const cli = (...args: string[]) => brafaInProcess(['--config', world.configFile, ...args]);

    expect((await cli('run')).code).toBe(0);
    const before = inspect.mewsTokens({ serviceOrderId: stay.id });
    expect(before).toHaveLength(1);

    scenario.moveRoom(stay.id, '103');
    expect((await cli('run')).code).toBe(0);

    const unit = scenario.units('P1').find((u) => u.unitName === '103')!;
    const after = inspect.mewsTokens({ serviceOrderId: stay.id });
    expect(after.map((t) => t.ResourceId)).toEqual([unit.mewsResourceId]);
    expect(after[0]!.Value).toBe(before[0]!.Value);
    expect(
      checkInvariants(world.running.sandbox, { step: 'after move', now: new Date() }).map(formatViolation),
    ).toEqual([]);
  });
});
