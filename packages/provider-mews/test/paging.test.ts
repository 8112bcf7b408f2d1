import { describe, expect, it } from 'vitest';
import { readAhead } from '../src/client/paging.js';
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

describe('readAhead', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  async function* pages(log: string[], count: number, failAt?: number): AsyncGenerator<number> {
    try {
      for (let n = 1; n <= count; n++) {
        log.push(`fetch ${n}`);
        await tick();
        if (n === failAt) throw new Error(`page ${n}: MEWS answered 500`);
        yield n;
      }
    } finally {
      log.push('closed');
    }
  }

  it('requests the next page while the caller still works on the current one', async () => {
    const log: string[] = [];
    for await (const n of readAhead(pages(log, 3))) {
      log.push(`use ${n}`);
      await tick();
      await tick();
      log.push(`used ${n}`);
    }
    expect(log).toEqual([
      'fetch 1',
      'fetch 2',
      'use 1',
      'used 1',
      'fetch 3',
      'use 2',
      'used 2',
      // The walk's end is found ahead too.
      'closed',
      'use 3',
      'used 3',
    ]);
  });

  it('makes no extra request on a finished walk and at most one on an abandoned one, which it closes', async () => {
    const log: string[] = [];
    for await (const n of readAhead(pages(log, 5))) if (n === 2) break;
    expect(log).toEqual(['fetch 1', 'fetch 2', 'fetch 3', 'closed']);
  });

  it('reports a failed page ahead when that page is asked for, never as unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const log: string[] = [];
      const seen: number[] = [];
      const walk = async () => {
        for await (const n of readAhead(pages(log, 3, 2))) {
          seen.push(n);
          // Long enough for the request ahead to fail while this page is in use.
          for (let i = 0; i < 5; i++) await tick();
        }
      };
      await expect(walk()).rejects.toThrow('page 2: MEWS answered 500');
      expect(seen).toEqual([1]);
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
