import { syncWindow } from './schedule.mjs';

/**
 * One run: sync every enabled property over the kind's window, then dispatch lock and
 * write-back jobs until none is due.
 *
 * @param {import('@brafa/core').Engine} engine
 * @param {{ kind?: 'frequent' | 'nightly', now?: Date }} [options]
 */
export async function runOnce(engine, { kind = 'frequent', now = new Date() } = {}) {
  const window = syncWindow(kind, now);
  const result = await engine.run({ window });
  return { kind, window, ...result };
}

/**
 * One log line per run.
 *
 * @param {Awaited<ReturnType<typeof runOnce>>} run
 */
export function describeRun({ kind, window, syncs, dispatch, errors }) {
  const day = (d) => d.toISOString().slice(0, 10);
  const synced = syncs.map((s) => `${s.propertyId} ${s.bookings} bookings`).join(', ');
  const failed = errors.map((e) => `${e.propertyId}: ${e.error}`).join('; ');
  return (
    `${kind} run ${day(window.start)}..${day(window.end)}: ${synced || 'no property'}; ` +
    `${dispatch.processed} jobs (${dispatch.succeeded} ok, ${dispatch.retried} to retry, ${dispatch.dead} failed)` +
    (failed ? `; sync failed: ${failed}` : '')
  );
}
