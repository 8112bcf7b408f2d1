import { configForSandbox, openRuntime, type Runtime } from '@brafa/cli';
import { ManualClock } from '@brafa/core';
import { type RunningSandbox, startSandbox, type WorldReservation } from '@brafa/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnce } from '../src/run-once.mjs';
import { startScheduler } from '../src/scheduler.mjs';
import { manualTimers } from './timers.js';

const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The scheduler on a hand-driven clock, running real syncs against the sandbox server
 * (fake MEWS + TTLock over loopback HTTP). The clock starts at the real now, because the
 * sandbox's reservations and TTLock's request signatures are on real time.
 */
describe('cron sync against the sandbox', () => {
  let running: RunningSandbox;
  let runtime: Runtime;
  let far: WorldReservation;
  let near: WorldReservation;
  const clock = new ManualClock(new Date());
  const t = manualTimers(clock);
  const runs: Array<Awaited<ReturnType<typeof runOnce>>> = [];
  let scheduler: ReturnType<typeof startScheduler>;

  const lockOf = (r: WorldReservation) =>
    running.sandbox.scenario.locks('P1').find((l) => l.unitName === r.unitName)!.lockId;
  const codeFor = (r: WorldReservation) =>
    running.sandbox.inspect
      .lockCodes(lockOf(r))
      .find((c) => c.onDevice && c.startDate?.getTime() === r.startUtc.getTime());
  const codesOnLocks = () =>
    running.sandbox.scenario
      .locks('P1')
      .flatMap((l) => running.sandbox.inspect.lockCodes(l.lockId).filter((c) => c.onDevice)).length;
  /** Fire timers until a run of `kind` has finished. */
  const tickUntil = async (kind: string) => {
    for (let i = 0; i < 10; i++) {
      const before = runs.length;
      t.fireNext();
      await scheduler.idle();
      if (runs.slice(before).some((r) => r.kind === kind)) return;
    }
    throw new Error(`no ${kind} run after 10 ticks`);
  };

  beforeAll(async () => {
    running = await startSandbox({
      scenario: {
        seed: 21,
        properties: [
          {
            id: 'P1',
            provider: 'mews',
            units: 4,
            reservations: { count: 8, withinDays: 20, cancelledRatio: 0 },
          },
        ],
      },
    });
    const unit = running.sandbox.scenario.units('P1')[0]!.unitName;
    // Beyond the five-minute runs' 30 days: only the nightly backfill sees it.
    far = running.sandbox.scenario.addReservation('P1', {
      unit,
      arrival: isoDate(Date.now() + 60 * DAY),
      departure: isoDate(Date.now() + 63 * DAY),
      guest: 'Far Ahead',
    });
    runtime = await openRuntime(configForSandbox(running, { database: 'sqlite::memory:' }));
    // The nightly backfill a few minutes from now (server-local time), so a few ticks reach it.
    const backfill = new Date(clock.now().getTime() + 11 * 60_000);
    scheduler = startScheduler({
      run: async (kind) => void runs.push(await runOnce(runtime.engine, { kind, now: clock.now() })),
      clock,
      timers: t.timers,
      nightlyAt: { hour: backfill.getHours(), minute: backfill.getMinutes() },
      onError: (_kind, error) => {
        throw error;
      },
    });
  });
  afterAll(async () => {
    await scheduler?.stop();
    await runtime?.close();
    await running?.close();
  });

  it('the run at start puts codes on the locks for the next 30 days', async () => {
    await scheduler.idle();
    expect(runs.map((r) => r.kind)).toEqual(['frequent']);
    expect(runs[0]!.errors).toEqual([]);
    expect(runs[0]!.dispatch.dead).toBe(0);
    expect(codesOnLocks()).toBeGreaterThan(3);
    near = running.sandbox.scenario
      .reservations('P1')
      .find((r) => r.state === 'Confirmed' && r.unitName !== null && r.id !== far.id && codeFor(r))!;
    expect(near).toBeDefined();
    expect(await runtime.store.getBooking('P1', far.id)).toBeUndefined();
    expect(codeFor(far)).toBeUndefined();
  });

  it('a reservation changed in the PMS is picked up by the next five-minute tick', async () => {
    const changed = running.sandbox.scenario.changeDates(near.id, {
      arrival: near.arrival,
      departure: isoDate(Date.parse(`${near.departure}T00:00:00Z`) + 2 * DAY),
    });
    expect(codeFor(changed)?.endDate?.getTime()).not.toBe(changed.endUtc.getTime());
    const firedAt = t.fireNext();
    expect(firedAt.getTime() % (5 * 60_000)).toBe(0);
    await scheduler.idle();
    expect(runs.at(-1)!.kind).toBe('frequent');
    expect(codeFor(changed)?.endDate?.getTime()).toBe(changed.endUtc.getTime());
    const token = running.sandbox.inspect.mewsTokens({ serviceOrderId: changed.id })[0]!;
    expect(Date.parse(token.ValidityEndUtc)).toBe(changed.endUtc.getTime());
  });

  it('the nightly backfill covers a wider window and reaches the far reservation', async () => {
    await tickUntil('nightly');
    const nightly = runs.find((r) => r.kind === 'nightly')!;
    const frequent = runs.find((r) => r.kind === 'frequent')!;
    expect(nightly.window.start.getTime()).toBeLessThan(frequent.window.start.getTime() - 29 * DAY);
    expect(nightly.window.end.getTime()).toBeGreaterThan(frequent.window.end.getTime() + 300 * DAY);
    expect(nightly.errors).toEqual([]);
    expect(codeFor(far)).toBeDefined();
    expect(running.sandbox.inspect.mewsTokens({ serviceOrderId: far.id })).toHaveLength(1);
  });

  it('a run with nothing changed makes no lock call', async () => {
    const lockWrites = () =>
      running.sandbox
        .calls({ vendor: 'sciener' })
        .filter((c) => /keyboardPwd\/(add|change|delete)/.test(c.endpoint)).length;
    const before = lockWrites();
    t.fireNext();
    await scheduler.idle();
    expect(lockWrites()).toBe(before);
  });
});
