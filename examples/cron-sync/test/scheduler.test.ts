import { ManualClock } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { nextDailyAt, nextEvery, parseTimeOfDay, syncWindow } from '../src/schedule.mjs';
import { startScheduler } from '../src/scheduler.mjs';
import { deferred, manualTimers } from './timers.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('schedule times', () => {
  it('five-minute runs land on the wall clock, strictly after now', () => {
    expect(nextEvery(new Date('2026-03-01T10:02:31Z'), 5 * MINUTE)).toEqual(new Date('2026-03-01T10:05:00Z'));
    expect(nextEvery(new Date('2026-03-01T10:05:00Z'), 5 * MINUTE)).toEqual(new Date('2026-03-01T10:10:00Z'));
    expect(nextEvery(new Date('2026-03-01T23:59:59Z'), 5 * MINUTE)).toEqual(new Date('2026-03-02T00:00:00Z'));
  });

  it('the nightly run is the next local HH:mm, today or tomorrow', () => {
    const at = { hour: 3, minute: 0 };
    expect(nextDailyAt(new Date(2026, 2, 1, 2, 59), at)).toEqual(new Date(2026, 2, 1, 3, 0));
    expect(nextDailyAt(new Date(2026, 2, 1, 3, 0), at)).toEqual(new Date(2026, 2, 2, 3, 0));
    expect(nextDailyAt(new Date(2026, 2, 31, 22, 0), at)).toEqual(new Date(2026, 3, 1, 3, 0));
    expect(parseTimeOfDay('03:30')).toEqual({ hour: 3, minute: 30 });
    expect(() => parseTimeOfDay('25:00')).toThrow(/HH:mm/);
  });

  it('the nightly window reaches further back and further ahead than the frequent one', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    expect(syncWindow('frequent', now)).toEqual({ start: now, end: new Date(now.getTime() + 30 * DAY) });
    expect(syncWindow('nightly', now)).toEqual({
      start: new Date(now.getTime() - 30 * DAY),
      end: new Date(now.getTime() + 365 * DAY),
    });
  });
});

describe('scheduler', () => {
  const start = () => new ManualClock(new Date(2026, 2, 1, 2, 52, 10));

  it('runs at start, every five minutes, and nightly at the given time', async () => {
    const clock = start();
    const t = manualTimers(clock);
    const runs: Array<[string, Date]> = [];
    const scheduler = startScheduler({
      run: async (kind) => void runs.push([kind, clock.now()]),
      clock,
      timers: t.timers,
      nightlyAt: { hour: 3, minute: 2 },
    });
    await scheduler.idle();
    for (let i = 0; i < 3; i++) {
      t.fireNext();
      await scheduler.idle();
    }
    expect(runs).toEqual([
      ['frequent', new Date(2026, 2, 1, 2, 52, 10)],
      ['frequent', new Date(2026, 2, 1, 2, 55)],
      ['frequent', new Date(2026, 2, 1, 3, 0)],
      ['nightly', new Date(2026, 2, 1, 3, 2)],
    ]);
    expect(scheduler.nextRuns()).toEqual({
      frequent: new Date(2026, 2, 1, 3, 5),
      nightly: new Date(2026, 2, 2, 3, 2),
    });
    await scheduler.stop();
  });

  it('never overlaps runs: ticks during a run collapse into one run after it', async () => {
    const clock = start();
    const t = manualTimers(clock);
    const gates = [deferred(), deferred()];
    let active = 0;
    let maxActive = 0;
    const runs: string[] = [];
    const scheduler = startScheduler({
      run: async (kind) => {
        runs.push(kind);
        active++;
        maxActive = Math.max(maxActive, active);
        await gates[runs.length - 1]?.promise;
        active--;
      },
      clock,
      timers: t.timers,
    });
    t.fireNext(); // 02:55 while the start run is still going
    t.fireNext(); // 03:00 (nightly) too
    t.fireNext(); // 03:05
    expect(runs).toEqual(['frequent']);
    gates[0]!.resolve();
    await new Promise((r) => setTimeout(r, 0));
    // The waiting nightly run absorbed the two waiting frequent ones.
    expect(runs).toEqual(['frequent', 'nightly']);
    gates[1]!.resolve();
    await scheduler.idle();
    expect(runs).toEqual(['frequent', 'nightly']);
    expect(maxActive).toBe(1);
    await scheduler.stop();
  });

  it('a failed run is reported and the schedule goes on', async () => {
    const clock = start();
    const t = manualTimers(clock);
    const errors: string[] = [];
    let calls = 0;
    const scheduler = startScheduler({
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('PMS down');
      },
      clock,
      timers: t.timers,
      onError: (kind, error) => errors.push(`${kind}: ${(error as Error).message}`),
    });
    await scheduler.idle();
    t.fireNext();
    await scheduler.idle();
    expect(errors).toEqual(['frequent: PMS down']);
    expect(calls).toBe(2);
    await scheduler.stop();
  });

  it('stop() waits for the run in progress and starts no other', async () => {
    const clock = start();
    const t = manualTimers(clock);
    const gate = deferred();
    const runs: string[] = [];
    let finished = false;
    const scheduler = startScheduler({
      run: async (kind) => {
        runs.push(kind);
        await gate.promise;
        finished = true;
      },
      clock,
      timers: t.timers,
    });
    t.fireNext(); // a run comes due while the first is in progress
    const stopped = scheduler.stop().then(() => finished);
    expect(t.due()).toBeUndefined(); // the timer is cleared
    gate.resolve();
    expect(await stopped).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toEqual(['frequent']);
  });
});
