import { createPrng, deriveSeed, type Prng } from '../util/prng.js';
import type { Vendor } from '../world/types.js';

/**
 * - `rateLimit`: HTTP 429 (MEWS with `Retry-After`, Beds24 with credit headers); Sciener has no
 *   HTTP 429, so it answers HTTP 200 with errcode 30006 ("exceeds the restrictions of API call number").
 * - `serverError`: HTTP 5xx, nothing happens.
 * - `timeout`: no answer for `timeoutMs`, then the connection drops; nothing happens.
 * - `errcode`: Sciener only: HTTP 200 with a transient errcode (-3002, -3003, 90000 …); nothing happens.
 * - `lostResponse`: the operation IS applied, then the reply is lost (`lostAs` timeout or 5xx).
 */
export type FaultKind = 'rateLimit' | 'serverError' | 'timeout' | 'errcode' | 'lostResponse';
export const faultKinds: readonly FaultKind[] = [
  'rateLimit',
  'serverError',
  'timeout',
  'errcode',
  'lostResponse',
];

export interface FaultRule {
  vendor: Vendor | '*';
  /** Endpoint name as in the call log (e.g. `/v3/keyboardPwd/add`, `customers/getAll`, `GET /bookings`); default all. */
  endpoint?: string;
  /** Probability of each kind per matching call; their sum must be ≤ 1. */
  rates: Partial<Record<FaultKind, number>>;
  /** Fire at most this many times, then the rule is spent. */
  times?: number;
  /** errcodes drawn for `errcode` faults; default [-3002, -3003, 90000]. */
  errcodes?: number[];
  /** HTTP status for `serverError`; default 503. */
  status?: number;
  /** `Retry-After` seconds on a `rateLimit` fault; default 1. */
  retryAfterSeconds?: number;
  /** How long a `timeout` hangs before the connection drops; default 30 000 ms. */
  timeoutMs?: number;
  /** What a lost response looks like; default 'timeout'. */
  lostAs?: 'timeout' | 'serverError';
}

export interface FaultDecision {
  kind: FaultKind;
  rule: FaultRule;
  errcode: number | null;
}

export const defaultErrcodes = [-3002, -3003, 90000];

/**
 * Decides, per call, whether a fault fires. One PRNG draw per matching rule, in rule order, so
 * the same seed and the same sequence of calls give the same faults.
 */
export class FaultInjector {
  private rules: Array<{ rule: FaultRule; fired: number }> = [];
  private prng: Prng;

  constructor(seed: number, rules: FaultRule[] = []) {
    this.prng = createPrng(deriveSeed(seed, 'faults'));
    this.set(rules);
  }

  /** Replace every rule. */
  set(rules: FaultRule[]): void {
    for (const rule of rules) validateRule(rule);
    this.rules = rules.map((rule) => ({ rule, fired: 0 }));
  }

  add(rule: FaultRule): void {
    validateRule(rule);
    this.rules.push({ rule, fired: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Restart the random stream (e.g. between two runs that must see the same faults). */
  reseed(seed: number): void {
    this.prng = createPrng(deriveSeed(seed, 'faults'));
    for (const entry of this.rules) entry.fired = 0;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  decide(vendor: Vendor, endpoint: string): FaultDecision | null {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.vendor !== '*' && rule.vendor !== vendor) continue;
      if (rule.endpoint !== undefined && rule.endpoint !== '*' && rule.endpoint !== endpoint) continue;
      if (rule.times !== undefined && entry.fired >= rule.times) continue;
      // errcode faults only exist on Sciener; elsewhere the rule's errcode share does nothing.
      const u = this.prng.next();
      let acc = 0;
      for (const kind of faultKinds) {
        const rate = rule.rates[kind] ?? 0;
        if (rate <= 0) continue;
        acc += rate;
        if (u < acc) {
          if (kind === 'errcode' && vendor !== 'sciener') return null;
          entry.fired += 1;
          const codes = rule.errcodes ?? defaultErrcodes;
          return { kind, rule, errcode: kind === 'errcode' ? this.prng.pick(codes) : null };
        }
      }
    }
    return null;
  }
}

function validateRule(rule: FaultRule): void {
  const sum = Object.values(rule.rates).reduce((a, b) => a + (b ?? 0), 0);
  if (sum > 1 + 1e-9)
    throw new RangeError(`fault rates for ${rule.vendor} ${rule.endpoint ?? '*'} add up to ${sum} (> 1)`);
  for (const [kind, rate] of Object.entries(rule.rates)) {
    if (!faultKinds.includes(kind as FaultKind)) throw new RangeError(`unknown fault kind ${kind}`);
    if (rate === undefined || rate < 0) throw new RangeError(`fault rate for ${kind} must be ≥ 0`);
  }
}
