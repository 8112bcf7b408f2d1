import { ValidationError } from '../errors/errors.js';

/** The range every store keeps a job's priority in (a 32-bit SQL integer). */
export const JOB_PRIORITY_RANGE = { min: -2_147_483_648, max: 2_147_483_647 } as const;

/**
 * Stores call this before enqueueing, so a bad priority is refused the same way everywhere
 * (instead of one database rounding it and another overflowing).
 */
export function assertJobPriority(priority: number | undefined): void {
  if (priority === undefined) return;
  if (!Number.isInteger(priority) || priority < JOB_PRIORITY_RANGE.min || priority > JOB_PRIORITY_RANGE.max)
    throw new ValidationError(
      'job.priority',
      `must be a whole number from ${JOB_PRIORITY_RANGE.min} to ${JOB_PRIORITY_RANGE.max}, got ${priority}`,
    );
}
