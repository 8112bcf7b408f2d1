import type { Logger } from '@brafa/core';
import { beijingMonthKey } from '../errors/beijing-month.js';

export interface CallBudgetOptions {
  /** Calls per month the developer plan allows (TTLock's free tier is reported as 30,000). */
  monthlyLimit?: number;
  /** Share of the limit at which a warning is logged (default 0.8). */
  warnRatio?: number;
  /** Calls already made this month, e.g. from `POST /app/getMonthRequestCount` or your own store. */
  initial?: { month: string; calls: number };
}

export interface CallUsage {
  /** Beijing-time month (`YYYY-MM`): TTLock's quota resets on the 1st at 00:00 UTC+8. */
  month: string;
  calls: number;
  limit: number;
}

/**
 * Counts API calls per Beijing-time month and warns once when usage nears the plan limit, and
 * once more when it reaches it. TTLock publishes no quota number and a 30007 stops every call
 * for the rest of the month, so the warning is the operator's only early signal.
 * Share one budget between clients that use the same developer application.
 */
export class CallBudget {
  readonly limit: number;
  private readonly warnAt: number;
  private month: string;
  private calls: number;
  private warned = { near: false, reached: false };

  constructor(options: CallBudgetOptions = {}) {
    this.limit = options.monthlyLimit ?? 30_000;
    this.warnAt = Math.ceil(this.limit * (options.warnRatio ?? 0.8));
    this.month = options.initial?.month ?? '';
    this.calls = options.initial?.calls ?? 0;
  }

  /** Record one call made at `at`; logs through `logger` when a threshold is crossed. */
  record(at: Date, logger: Logger): void {
    const month = beijingMonthKey(at);
    if (month !== this.month) {
      this.month = month;
      this.calls = 0;
      this.warned = { near: false, reached: false };
    }
    this.calls += 1;
    const fields = { month, calls: this.calls, limit: this.limit };
    if (this.calls >= this.limit && !this.warned.reached) {
      this.warned.reached = true;
      logger.warn(
        'TTLock monthly API call limit reached: expect errcode 30007 until the 1st (Beijing time)',
        fields,
      );
    } else if (this.calls >= this.warnAt && !this.warned.near) {
      this.warned.near = true;
      logger.warn('TTLock monthly API calls are nearing the plan limit', fields);
    }
  }

  usage(at: Date): CallUsage {
    const month = beijingMonthKey(at);
    return { month, calls: month === this.month ? this.calls : 0, limit: this.limit };
  }
}
