/**
 * Sliding-window counter: at most `limit` hits in any `windowMs`. MEWS anchors its window to the
 * first request of a burst, not to clock boundaries (mews.md §4), which this models exactly.
 */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records a hit and returns 0, or returns the ms until a slot frees (no hit recorded). */
  tryHit(key: string, now: number): number {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length >= this.limit) {
      this.hits.set(key, list);
      const oldest = list[0] ?? now;
      return Math.max(1, oldest + this.windowMs - now);
    }
    list.push(now);
    this.hits.set(key, list);
    return 0;
  }

  reset(): void {
    this.hits.clear();
  }
}
