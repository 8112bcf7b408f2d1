import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brafaInProcess } from './support/cli-in-process.js';
import { checkInvariants } from './support/invariants.js';
import type { RunJson } from './support/status.js';
import { startWorld, tempDir, type World } from './support/world.js';

/**
 * An outage longer than the retry budget: each code's lock job is retried with backoff until
 * `worker.retry.maxAttempts` claims are used, then the code is `failed` and `brafa status`
 * says why. Here the budget is 2 claims with no waiting, so the outage "outlasts" it at once.
 */
describe('a gateway outage longer than the retry budget', () => {
  const tmp = tempDir('brafa-budget-');
  let world: World;
  let lockId: number;
  let bookingId: string;
  const cli = (...args: string[]) => brafaInProcess(['--config', world.configFile, ...args]);

  beforeAll(async () => {
    world = await startWorld(
      { scenario: { seed: 12, properties: [{ id: 'P1', provider: 'mews', units: 2, reservations: [] }] } },
      tmp.dir,
      {
        patch: (c) => ({
          ...c,
          worker: { ...c.worker, retry: { maxAttempts: 2, baseDelayMs: 0, retryAfterCapMs: 0 } },
        }),
      },
    );
    const { scenario } = world.running.sandbox;
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    bookingId = scenario.addReservation('P1', {
      unit: '101',
      arrival: day(2),
      departure: day(4),
      guest: 'Out Age',
    }).id;
    lockId = scenario.units('P1').find((u) => u.unitName === '101')!.lockId!;
    scenario.setGateway(lockId, { online: false });
  });
  afterAll(async () => {
    await world.close();
    tmp.cleanup();
  });

  it('ends in a failed code that status names with its reason, and nothing reaches the PMS', async () => {
    const run = await cli('run', '--json');
    expect(run.code).toBe(3);
    const status = JSON.parse(run.stdout) as RunJson;
    expect(status.statuses[0]!.failures).toEqual([
      { bookingId, lockId: String(lockId), reason: expect.stringMatching(/-3002.*gateway is offline/) },
    ]);
    // The guest is not sent a PIN that the door does not know.
    expect(world.running.sandbox.inspect.mewsTokens({ serviceOrderId: bookingId })).toEqual([]);
  });

  it('an operator brings it back with `brafa reissue` once the gateway is online (new digits)', async () => {
    world.running.sandbox.scenario.setGateway(lockId, { online: true });
    const reissue = await cli('reissue', '--property', 'P1', '--booking', bookingId);
    expect(reissue.code, reissue.stdout + reissue.stderr).toBe(0);
    const run = await cli('run', '--json');
    expect(checkInvariants(world.running.sandbox, { step: 'after reissue', now: new Date() })).toEqual([]);
    const [status] = (JSON.parse(run.stdout) as RunJson).statuses;
    expect(status!.failures).toEqual([]);
    expect(status!.writeBackErrors).toEqual([]);
    // The dead job of the outage is history once its code is active again.
    expect(status!.deadJobs).toEqual([]);
    expect(run.code).toBe(0);
  });
});

describe('a code failed by an outage is retried on its own once the failed-retry wait has passed', () => {
  const tmp = tempDir('brafa-budget-gap-');
  let world: World;
  beforeAll(async () => {
    world = await startWorld(
      { scenario: { seed: 13, properties: [{ id: 'P1', provider: 'mews', units: 2, reservations: [] }] } },
      tmp.dir,
      {
        patch: (c) => ({
          ...c,
          // No wait before a failed code gets a fresh budget (default 30 minutes).
          worker: {
            ...c.worker,
            retry: { maxAttempts: 2, baseDelayMs: 0, retryAfterCapMs: 0 },
            failedRetryMinutes: 0,
          },
        }),
      },
    );
  });
  afterAll(async () => {
    await world.close();
    tmp.cleanup();
  });

  it('after the outage ends, the next runs put the code on the lock', async () => {
    const { scenario } = world.running.sandbox;
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    scenario.addReservation('P1', { unit: '102', arrival: day(1), departure: day(3), guest: 'Long Outage' });
    const lockId = scenario.units('P1').find((u) => u.unitName === '102')!.lockId!;
    scenario.setGateway(lockId, { online: false });
    const cli = (...args: string[]) => brafaInProcess(['--config', world.configFile, ...args]);
    expect((await cli('run')).code).toBe(3);
    scenario.setGateway(lockId, { online: true });
    for (let i = 0; i < 3; i++) await cli('run');
    expect(checkInvariants(world.running.sandbox, { step: 'after outage', now: new Date() })).toEqual([]);
  });
});
