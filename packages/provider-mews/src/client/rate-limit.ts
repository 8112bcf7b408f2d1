import { createHash } from 'node:crypto';

export interface RateLimitOptions {
  /** Requests allowed per window (MEWS: 200 per access token). */
  limit: number;
  /** Sliding window length in milliseconds (MEWS: 30 s). */
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 200, windowMs: 30_000 };

/**
 * A sliding-window limiter: at most `limit` requests in any `windowMs` span. MEWS anchors the
 * window to the first request of a burst, so fixed buckets would undercount; keeping the
 * timestamps of the last `limit` requests is exact and small.
 */
export class SlidingWindowLimiter {
  private readonly stamps: number[] = [];

  constructor(readonly options: RateLimitOptions) {}

  /**
   * Wait until a request may start, then count it. Clock and sleep come from the caller so
   * tests can use a manual clock; the check-and-count runs without an await in between, so
   * concurrent callers on one event loop never overbook the window.
   */
  async acquire(now: () => number, sleep: (ms: number) => Promise<void>): Promise<void> {
    for (;;) {
      const t = now();
      while (this.stamps.length > 0 && this.stamps[0]! <= t - this.options.windowMs) this.stamps.shift();
      if (this.stamps.length < this.options.limit) {
        this.stamps.push(t);
        return;
      }
      await sleep(Math.max(1, this.stamps[0]! + this.options.windowMs - t));
    }
  }

  /** Requests counted in the window ending now (for tests and diagnostics). */
  inFlightWindow(now: number): number {
    return this.stamps.filter((s) => s > now - this.options.windowMs).length;
  }
}

/**
 * One limiter per access token for the whole process: every client, provider and concurrent
 * call using the same token shares one budget, as MEWS counts it. Keyed by a hash so the
 * registry never holds the token itself.
 */
const registry = new Map<string, SlidingWindowLimiter>();

export function rateLimiterFor(
  accessToken: string,
  options: RateLimitOptions = DEFAULT_RATE_LIMIT,
): SlidingWindowLimiter {
  const key = createHash('sha256').update(accessToken).digest('hex');
  let limiter = registry.get(key);
  if (!limiter) {
    limiter = new SlidingWindowLimiter(options);
    registry.set(key, limiter);
  }
  return limiter;
}
