import { createPrng, deriveSeed, type Prng } from '../util/prng.js';
import type { Vendor } from '../world/types.js';

export interface LatencyRule {
  vendor: Vendor | '*';
  endpoint?: string;
  /** Fixed delay, or a [min, max] range drawn from the seeded stream. */
  ms: number | [number, number];
}

/** Simulated server time per vendor/endpoint; the first matching rule wins. */
export class LatencyModel {
  private rules: LatencyRule[];
  private readonly prng: Prng;

  constructor(seed: number, rules: LatencyRule[] = []) {
    this.prng = createPrng(deriveSeed(seed, 'latency'));
    this.rules = rules;
  }

  set(rules: LatencyRule[]): void {
    this.rules = rules;
  }

  list(): LatencyRule[] {
    return this.rules;
  }

  delayFor(vendor: Vendor, endpoint: string): number {
    const rule = this.rules.find(
      (r) =>
        (r.vendor === '*' || r.vendor === vendor) &&
        (r.endpoint === undefined || r.endpoint === '*' || r.endpoint === endpoint),
    );
    if (!rule) return 0;
    if (typeof rule.ms === 'number') return rule.ms;
    const [min, max] = rule.ms;
    return this.prng.int(min, max);
  }
}
