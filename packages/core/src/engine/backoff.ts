import { TransientError } from '../errors/errors.js';

export interface RetryPolicy {
  /** Attempts (claims) before a job is dead-lettered. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on a server-supplied wait (`Retry-After`): beyond it we reschedule, not sleep. */
  retryAfterCapMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  retryAfterCapMs: 5 * 60_000,
};

/**
 * Exponential backoff with equal jitter (half fixed, half random, so retries of many jobs
 * spread out but never come back immediately), raised to the server's `retryAfter` when it
 * asks for more, and capped so one bad header cannot park a job for hours.
 */
export function retryDelayMs(
  attempt: number,
  error: unknown,
  policy: RetryPolicy,
  random: () => number,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (exp / 2) * random();
  const asked = error instanceof TransientError && error.retryAfterMs !== undefined ? error.retryAfterMs : 0;
  return Math.round(Math.max(jittered, Math.min(asked, policy.retryAfterCapMs)));
}
