import { nextDailyAt, nextEvery } from './schedule.mjs';

/**
 * @typedef {'frequent' | 'nightly'} RunKind
 * @typedef {{ setTimeout(fn: () => void, ms: number): unknown, clearTimeout(handle: unknown): void }} Timers
 */

/** @type {Timers} */
const realTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(/** @type {NodeJS.Timeout} */ (handle)),
};

/**
 * Runs `run('frequent')` every `everyMs` and `run('nightly')` daily at `nightlyAt`, one at a
 * time: a run that comes due while another is in progress waits, duplicates collapse into
 * one, and a waiting nightly run absorbs a waiting frequent one (its window covers it). One
 * timer, re-armed from computed next-run times, so nothing drifts and nothing piles up.
 *
 * @param {{
 *   run: (kind: RunKind) => Promise<unknown>,
 *   everyMs?: number,
 *   nightlyAt?: { hour: number, minute: number },
 *   runAtStart?: boolean,
 *   clock?: { now(): Date },
 *   timers?: Timers,
 *   onError?: (kind: RunKind, error: unknown) => void,
 * }} options
 */
export function startScheduler({
  run,
  everyMs = 5 * 60_000,
  nightlyAt = { hour: 3, minute: 0 },
  runAtStart = true,
  clock = { now: () => new Date() },
  timers = realTimers,
  onError = (kind, error) => console.error(`${kind} run failed:`, error),
}) {
  /** @type {Set<RunKind>} */
  const pending = new Set();
  /** @type {Promise<void> | undefined} */
  let draining;
  let stopped = false;
  let timer;
  let nextFrequent = nextEvery(clock.now(), everyMs);
  let nextNightly = nextDailyAt(clock.now(), nightlyAt);

  async function drain() {
    while (pending.size && !stopped) {
      const kind = pending.has('nightly') ? 'nightly' : 'frequent';
      pending.delete(kind);
      if (kind === 'nightly') pending.delete('frequent');
      try {
        await run(kind);
      } catch (error) {
        // A failed run (PMS down) must not stop the schedule; the next one tries again.
        onError(kind, error);
      }
    }
    draining = undefined;
  }

  /** @param {RunKind} kind */
  function request(kind) {
    pending.add(kind);
    draining ??= drain();
  }

  function tick() {
    const now = clock.now();
    if (now >= nextFrequent) {
      request('frequent');
      nextFrequent = nextEvery(now, everyMs);
    }
    if (now >= nextNightly) {
      request('nightly');
      nextNightly = nextDailyAt(now, nightlyAt);
    }
    arm();
  }

  function arm() {
    if (stopped) return;
    const next = Math.min(nextFrequent.getTime(), nextNightly.getTime());
    timer = timers.setTimeout(tick, Math.max(0, next - clock.now().getTime()));
  }

  if (runAtStart) request('frequent');
  arm();

  return {
    /** When each kind runs next. */
    nextRuns: () => ({ frequent: nextFrequent, nightly: nextNightly }),
    /** Resolves when no run is in progress or waiting. */
    idle: () => draining ?? Promise.resolve(),
    /** No new runs; resolves once the run in progress (if any) has finished. */
    async stop() {
      stopped = true;
      timers.clearTimeout(timer);
      pending.clear();
      await draining;
    },
  };
}
