import { ManualClock } from '@brafa/core';
import { describe, expect, it } from 'vitest';
import { MewsClient, SlidingWindowLimiter } from '../src/index.js';

/**
 * A virtual timer: `sleep(ms)` moves the manual clock forward to the sleeper's wake-up
 * time (never backwards), so many concurrent sleepers share one timeline and the tests
 * run instantly.
 */
function virtualTime(start = '2026-04-01T00:00:00Z') {
  const clock = new ManualClock(start);
  const sleep = async (ms: number) => {
    const wake = clock.now().getTime() + ms;
    await Promise.resolve();
    if (clock.now().getTime() < wake) clock.set(new Date(wake));
  };
  return { clock, sleep };
}

function counting(clock: ManualClock) {
  const at: number[] = [];
  const fetch = async () => {
    at.push(clock.now().getTime());
    return Response.json({ Services: [], Cursor: null });
  };
  return { at, fetch };
}

/** The most requests seen in any window of `windowMs` (sliding, anchored at each request). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

describe('client-side rate limit (200 per access token per 30 s, sliding)', () => {
  it('lets 200 through at once and holds the 201st until the first leaves the window', async () => {
    const { clock, sleep } = virtualTime();
    const limiter = new SlidingWindowLimiter({ limit: 200, windowMs: 30_000 });
    const now = () => clock.now().getTime();
    const t0 = now();
    for (let i = 0; i < 200; i++) await limiter.acquire(now, sleep);
    expect(now()).toBe(t0);
    clock.advance(10_000);
    await limiter.acquire(now, sleep);
    expect(now()).toBe(t0 + 30_000);
  });

  it('is shared by all concurrent calls and clients of one token', async () => {
    const { clock, sleep } = virtualTime();
    const { at, fetch } = counting(clock);
    const token = `shared-token-${Math.random()}`;
    const make = () =>
      new MewsClient({
        baseUrl: 'http://127.0.0.1:1',
        clientToken: 'ct',
        accessToken: token,
        client: 'x',
        clock,
        sleep,
        fetch,
      });
    const a = make();
    const b = make();
    await Promise.all([
      ...Array.from({ length: 150 }, () => a.services()),
      ...Array.from({ length: 150 }, () => b.services()),
    ]);
    expect(at).toHaveLength(300);
    expect(maxInWindow(at, 30_000)).toBeLessThanOrEqual(200);
    // The budget was really shared: 300 requests cannot fit one window.
    expect(Math.max(...at) - Math.min(...at)).toBeGreaterThanOrEqual(30_000);
  });

  it('other tokens have their own budget', async () => {
    const { clock, sleep } = virtualTime();
    const { at, fetch } = counting(clock);
    const make = (token: string) =>
      new MewsClient({
        baseUrl: 'http://127.0.0.1:1',
        clientToken: 'ct',
        accessToken: token,
        client: 'x',
        clock,
        sleep,
        fetch,
      });
    const a = make(`token-a-${Math.random()}`);
    const b = make(`token-b-${Math.random()}`);
    await Promise.all([
      ...Array.from({ length: 200 }, () => a.services()),
      ...Array.from({ length: 200 }, () => b.services()),
    ]);
    expect(new Set(at).size).toBe(1);
  });

  it('the limit is configurable', async () => {
    const { clock, sleep } = virtualTime();
    const { at, fetch } = counting(clock);
    const client = new MewsClient({
      baseUrl: 'http://127.0.0.1:1',
      clientToken: 'ct',
      accessToken: `token-c-${Math.random()}`,
      client: 'x',
      clock,
      sleep,
      fetch,
      rateLimit: { limit: 5, windowMs: 1000 },
    });
    await Promise.all(Array.from({ length: 12 }, () => client.services()));
    expect(maxInWindow(at, 1000)).toBe(5);
    expect(Math.max(...at) - Math.min(...at)).toBe(2000);
  });
});
