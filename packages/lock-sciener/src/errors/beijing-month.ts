/** TTLock's monthly quota follows Beijing time (UTC+8, no DST). */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `2026-03` for the Beijing-time month that contains `at`. */
export function beijingMonthKey(at: Date): string {
  const shifted = new Date(at.getTime() + BEIJING_OFFSET_MS);
  return `${shifted.getUTCFullYear()}-${String(shifted.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The instant the next Beijing-time month starts (the 1st, 00:00 UTC+8). */
export function nextBeijingMonthStart(at: Date): Date {
  const shifted = new Date(at.getTime() + BEIJING_OFFSET_MS);
  const startShifted = Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, 1);
  return new Date(startShifted - BEIJING_OFFSET_MS);
}
