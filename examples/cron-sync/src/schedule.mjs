const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** How far each kind of run looks: the frequent one ahead only, the nightly one both ways. */
export const WINDOWS = {
  frequent: { pastDays: 0, futureDays: 30 },
  nightly: { pastDays: 30, futureDays: 365 },
};

/**
 * The booking window of a run. The PMS is asked for stays *overlapping* it, so guests
 * in the house now are included in the frequent window too.
 *
 * @param {'frequent' | 'nightly'} kind
 * @param {Date} now
 * @returns {{ start: Date, end: Date }}
 */
export function syncWindow(kind, now) {
  const { pastDays, futureDays } = WINDOWS[kind];
  return { start: new Date(now.getTime() - pastDays * DAY), end: new Date(now.getTime() + futureDays * DAY) };
}

/**
 * The next multiple of `everyMs` after `now` (:00, :05, :10 … for five minutes), so runs
 * stay on the wall clock instead of drifting with each run's duration.
 *
 * @param {Date} now
 * @param {number} everyMs
 */
export function nextEvery(now, everyMs) {
  return new Date((Math.floor(now.getTime() / everyMs) + 1) * everyMs);
}

/**
 * The next `hour:minute` of the server's local time (set `TZ` to choose the zone) strictly
 * after `now`.
 *
 * @param {Date} now
 * @param {{ hour: number, minute: number }} at
 */
export function nextDailyAt(now, { hour, minute }) {
  const next = new Date(now);
  next.setHours(hour, minute, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next;
}

/**
 * `"03:00"` → `{ hour: 3, minute: 0 }`.
 *
 * @param {string} text
 */
export function parseTimeOfDay(text) {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new Error(`expected a time of day as HH:mm, got "${text}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}
