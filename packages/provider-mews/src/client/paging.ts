import { ValidationError } from '@brafa/core';

/** MEWS caps every id filter and every batch write at 1,000 items. */
export const MAX_IDS = 1000;

export function chunk<T>(items: readonly T[], size = MAX_IDS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** MEWS datetimes: ISO 8601 UTC without milliseconds, `YYYY-MM-DDThh:mm:ssZ`. */
export function formatUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface TimeInterval {
  StartUtc: string;
  EndUtc: string;
}

/**
 * Add calendar months in UTC, clamping to the month's last day like .NET's `AddMonths`
 * (which is what "max 3 months" is measured with): 30 Nov + 3 months = 28/29 Feb, not 2 Mar.
 */
export function addMonthsUtc(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/**
 * Split `[start, end)` into consecutive half-open intervals of at most `months` months.
 * MEWS filters are half-open, so each piece starts exactly where the previous one ended:
 * nothing is missed and nothing needs overlapping.
 */
export function splitInterval(start: Date, end: Date, months = 3): TimeInterval[] {
  if (!(end.getTime() > start.getTime())) {
    throw new ValidationError(
      'window',
      `end (${end.toISOString()}) must be after start (${start.toISOString()})`,
    );
  }
  const out: TimeInterval[] = [];
  let from = start;
  while (from.getTime() < end.getTime()) {
    const limit = addMonthsUtc(from, months);
    const to = limit.getTime() < end.getTime() ? limit : end;
    out.push({ StartUtc: formatUtc(from), EndUtc: formatUtc(to) });
    from = to;
  }
  return out;
}

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

/**
 * Walk a `Limitation`/`Cursor` paged operation. Stops when the cursor is null or missing, or
 * when fewer than `count` items come back (both documented end signals). A cursor that
 * repeats would loop forever, so it is reported instead.
 */
export async function* paginate<T>(
  operation: string,
  count: number,
  fetchPage: (limitation: { Count: number; Cursor?: string }) => Promise<Page<T>>,
): AsyncGenerator<T[]> {
  let cursor: string | null = null;
  const seen = new Set<string>();
  for (;;) {
    const page: Page<T> = await fetchPage(cursor ? { Count: count, Cursor: cursor } : { Count: count });
    yield page.items;
    if (!page.cursor || page.items.length < count) return;
    if (seen.has(page.cursor)) {
      throw new ValidationError(`MEWS ${operation} response.Cursor`, `repeated cursor ${page.cursor}`);
    }
    seen.add(page.cursor);
    cursor = page.cursor;
  }
}
