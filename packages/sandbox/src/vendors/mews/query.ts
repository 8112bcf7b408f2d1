import type { z } from 'zod';
import { addMonthsUtc, parseInstant } from '../../util/time.js';
import { MewsFailure } from './errors.js';
import type { LimitationInput, TimeInterval } from './schemas.js';

/** Most MEWS time filters are limited to 3 months (`x-max-interval-in-months: 3`, mews.md §2.4, §12.3). */
export const MAX_INTERVAL_MONTHS = 3;

export interface Interval {
  start: Date;
  end: Date;
}

/** Validates a time interval filter and enforces the 3-month limit; null when absent. */
export function readInterval(name: string, value: TimeInterval): Interval | null {
  if (value === null || value === undefined) return null;
  const start = parseInstant(value.StartUtc);
  const end = parseInstant(value.EndUtc);
  if (!start) throw new MewsFailure(400, `Invalid ${name}.StartUtc: expected an ISO 8601 UTC date-time.`);
  if (!end) throw new MewsFailure(400, `Invalid ${name}.EndUtc: expected an ISO 8601 UTC date-time.`);
  if (end < start) throw new MewsFailure(400, `Invalid ${name}: EndUtc is before StartUtc.`);
  if (end > addMonthsUtc(start, MAX_INTERVAL_MONTHS)) {
    throw new MewsFailure(
      400,
      `Invalid ${name}: the interval exceeds the maximum length of ${MAX_INTERVAL_MONTHS} months.`,
    );
  }
  return { start, end };
}

/**
 * Interval semantics (mews.md §2.4, `_objects.md`): StartUtc == EndUtc means equality; otherwise
 * half-open [StartUtc, EndUtc).
 */
export function inInterval(value: Date | null, interval: Interval | null): boolean {
  if (interval === null) return true;
  if (value === null) return false;
  const t = value.getTime();
  if (interval.start.getTime() === interval.end.getTime()) return t === interval.start.getTime();
  return t >= interval.start.getTime() && t < interval.end.getTime();
}

/** A span [from, to) collides with the interval when they intersect. */
export function collides(from: Date, to: Date, interval: Interval | null): boolean {
  if (interval === null) return true;
  return from.getTime() < interval.end.getTime() && to.getTime() > interval.start.getTime();
}

// Id filters carry up to 1,000 ids and are checked against every record: a Set per list
// (built once, remembered for the list's lifetime) keeps that linear instead of quadratic.
const asSets = new WeakMap<readonly string[], Set<string>>();

export function inList(value: string | null, list: readonly string[] | null | undefined): boolean {
  if (list === null || list === undefined) return true;
  if (value === null) return false;
  if (list.length < 16) return list.includes(value);
  let set = asSets.get(list);
  if (!set) {
    set = new Set(list);
    asSets.set(list, set);
  }
  return set.has(value);
}

/**
 * MEWS paging (mews.md §3): newest first; `Cursor` in the request is the id of the item one newer
 * than the page to return; the response `Cursor` is the id of the last (oldest) item returned and
 * is null only when nothing was returned.
 */
export function paginate<T extends { seq: number }>(
  items: T[],
  limitation: LimitationInput,
  idOf: (item: T) => string,
  universe: T[],
): { page: T[]; cursor: string | null } {
  const sorted = [...items].sort((a, b) => b.seq - a.seq);
  let candidates = sorted;
  if (limitation.Cursor !== null && limitation.Cursor !== undefined) {
    const anchor = universe.find((item) => idOf(item) === limitation.Cursor);
    if (!anchor) throw new MewsFailure(400, 'Invalid Limitation.Cursor: no item with this identifier.');
    candidates = sorted.filter((item) => item.seq < anchor.seq);
  }
  const page = candidates.slice(0, limitation.Count);
  const last = page[page.length - 1];
  return { page, cursor: last ? idOf(last) : null };
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    const where = path ? `${path}.` : '';
    throw new MewsFailure(
      400,
      `Invalid request: unknown property ${issue.keys.map((k) => `${where}${k}`).join(', ')}.`,
    );
  }
  throw new MewsFailure(400, `Invalid ${path || 'request'}: ${issue?.message ?? 'invalid value'}.`);
}
