import type { Beds24Account } from '../../world/types.js';

export interface CreditOptions {
  /** Credits per rolling 5 minutes per account; default 100 (beds24.md §6, measured). */
  limit?: number;
  /** Which header spellings to send; the live server uses the lowercase "observed" ones. */
  headers?: 'observed' | 'spec' | 'both';
}

const WINDOW_MS = 5 * 60 * 1000;

/**
 * Per-account credit budget over a rolling 5-minute window (beds24.md §6). Every request costs
 * 1 credit here (a simple call "usually costs 1 credit"); an exhausted budget is a 429.
 */
export class CreditMeter {
  readonly limit: number;
  private readonly style: 'observed' | 'spec' | 'both';

  constructor(options: CreditOptions = {}) {
    this.limit = options.limit ?? 100;
    this.style = options.headers ?? 'observed';
  }

  /** Charges `cost`; false when the budget is exhausted (nothing charged). */
  charge(account: Beds24Account, now: number, cost = 1): boolean {
    account.credits = account.credits.filter((c) => c.at > now - WINDOW_MS);
    if (this.used(account) + cost > this.limit) return false;
    account.credits.push({ at: now, cost });
    return true;
  }

  private used(account: Beds24Account): number {
    return account.credits.reduce((sum, c) => sum + c.cost, 0);
  }

  headers(account: Beds24Account, now: number, cost: number): Record<string, string> {
    const live = account.credits.filter((c) => c.at > now - WINDOW_MS);
    const remaining = Math.max(0, this.limit - live.reduce((sum, c) => sum + c.cost, 0));
    const oldest = live[0]?.at;
    const resetsIn = oldest === undefined ? 300 : Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
    const out: Record<string, string> = {};
    if (this.style !== 'spec') {
      out['x-five-min-limit-remaining'] = String(remaining);
      out['x-five-min-limit-resets-in'] = String(resetsIn);
      out['x-request-cost'] = String(cost);
    }
    if (this.style !== 'observed') {
      out['X-FiveMinCreditLimit'] = String(this.limit);
      out['X-FiveMinCreditLimit-Remaining'] = String(remaining);
      out['X-FiveMinCreditLimit-ResetsIn'] = String(resetsIn);
      out['X-RequestCost'] = String(cost);
    }
    return out;
  }
}
