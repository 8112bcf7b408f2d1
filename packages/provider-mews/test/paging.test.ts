import { describe, expect, it } from 'vitest';
import { addMonthsUtc, chunk, formatUtc, splitInterval } from '../src/index.js';

describe('time windows and chunks', () => {
  it('adds months like .NET AddMonths, clamping to the month end', () => {
    expect(addMonthsUtc(new Date('2025-11-30T12:00:00Z'), 3).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(addMonthsUtc(new Date('2023-11-30T00:00:00Z'), 3).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(addMonthsUtc(new Date('2026-01-31T00:00:00Z'), 1).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });

  it('splits a long range into contiguous half-open pieces of at most 3 months', () => {
    const pieces = splitInterval(new Date('2026-01-01T00:00:00Z'), new Date('2026-12-15T06:30:00Z'));
    expect(pieces).toEqual([
      { StartUtc: '2026-01-01T00:00:00Z', EndUtc: '2026-04-01T00:00:00Z' },
      { StartUtc: '2026-04-01T00:00:00Z', EndUtc: '2026-07-01T00:00:00Z' },
      { StartUtc: '2026-07-01T00:00:00Z', EndUtc: '2026-10-01T00:00:00Z' },
      { StartUtc: '2026-10-01T00:00:00Z', EndUtc: '2026-12-15T06:30:00Z' },
    ]);
  });

  it('keeps a short range whole and refuses an empty one', () => {
    expect(splitInterval(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'))).toHaveLength(1);
    expect(() => splitInterval(new Date('2026-01-02T00:00:00Z'), new Date('2026-01-02T00:00:00Z'))).toThrow(
      /must be after start/,
    );
  });

  it('formats MEWS datetimes without milliseconds and chunks at 1,000', () => {
    expect(formatUtc(new Date('2026-05-01T13:00:00.123Z'))).toBe('2026-05-01T13:00:00Z');
    expect(chunk(Array.from({ length: 2001 }, (_, i) => i)).map((c) => c.length)).toEqual([1000, 1000, 1]);
  });
});
