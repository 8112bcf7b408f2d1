import type { Clock } from '@brafa/core';

/**
 * Beds24 charges credits per account in a rolling 5-minute window. The spec names the headers
 * `X-FiveMinCreditLimit-Remaining` / `-ResetsIn`; the live server sends
 * `x-five-min-limit-remaining` / `-resets-in` (beds24.md §6). Both are read; `Headers` lookups
 * are case-insensitive and values may be fractional ("97.8").
 */
const REMAINING = ['x-fivemincreditlimit-remaining', 'x-five-min-limit-remaining'];
const RESETS_IN = ['x-fivemincreditlimit-resetsin', 'x-five-min-limit-resets-in'];
const COST = ['x-requestcost', 'x-request-cost'];

export interface CreditReading {
  remaining: number | undefined;
  resetsInMs: number | undefined;
  cost: number | undefined;
}

function first(headers: Headers, names: string[]): number | undefined {
  for (const name of names) {
    const raw = headers.get(name);
    if (raw === null || raw.trim() === '') continue;
    const value = Number.parseFloat(raw);
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

export function readCredits(headers: Headers): CreditReading {
  const resetsIn = first(headers, RESETS_IN);
  return {
    remaining: first(headers, REMAINING),
    resetsInMs: resetsIn === undefined ? undefined : Math.max(0, resetsIn * 1000),
    cost: first(headers, COST),
  };
}

export interface CreditGateOptions {
  clock: Clock;
  /** Pause new requests while fewer credits than this remain (default 5). */
  minRemaining?: number;
}

/**
 * Remembers the last credit reading of the account and says how long to wait before the
 * next request. It never sleeps itself, so the caller decides between waiting and failing.
 */
export class CreditGate {
  private remaining: number | undefined;
  private resetAt = 0;
  private readonly minRemaining: number;

  constructor(private readonly options: CreditGateOptions) {
    this.minRemaining = options.minRemaining ?? 5;
  }

  record(reading: CreditReading): void {
    if (reading.remaining !== undefined) this.remaining = reading.remaining;
    if (reading.resetsInMs !== undefined)
      this.resetAt = this.options.clock.now().getTime() + reading.resetsInMs;
  }

  /** After a 429 the window is spent, whatever the last header said. */
  exhausted(waitMs: number): void {
    this.remaining = 0;
    this.resetAt = this.options.clock.now().getTime() + waitMs;
  }

  /** Milliseconds to wait before spending another credit (0 = go). */
  waitMs(): number {
    if (this.remaining === undefined || this.remaining >= this.minRemaining) return 0;
    const wait = this.resetAt - this.options.clock.now().getTime();
    if (wait <= 0) {
      // The window has reset; the next response tells us the new balance.
      this.remaining = undefined;
      return 0;
    }
    return wait;
  }

  get lastRemaining(): number | undefined {
    return this.remaining;
  }
}
