import type { AccessCode, Property } from '../domain/schemas.js';
import type { PasscodePolicy } from '../passcode/policy.js';
import type { Clock } from '../ports/clock.js';
import { JOB_PRIORITY_RANGE } from '../ports/job-priority.js';
import type { LockProvider } from '../ports/lock.js';
import type { Logger } from '../ports/logger.js';
import type { PmsProvider } from '../ports/pms.js';
import type { NewJob, Store } from '../ports/store.js';
import type { RetryPolicy } from './backoff.js';
import type { CodeReads } from './code-reads.js';
import type { EngineEvent } from './events.js';
import type { GroupCommit } from './group-commit.js';
import type { Housekeeping } from './housekeeping.js';
import type { JobLeaseKeeper } from './job-lease-keeper.js';
import type { LockLanes } from './lock-lanes.js';
import type { LockLeases } from './lock-leases.js';

/** What every engine step needs; built once by `createEngine`. */
export interface EngineContext {
  store: Store;
  lock: LockProvider;
  provider(property: Property): PmsProvider | undefined;
  policy: PasscodePolicy;
  clock: Clock;
  logger: Logger;
  emit(event: EngineEvent): void;
  retry: RetryPolicy;
  random: () => number;
  graceMs: number;
  failedRetryMs: number;
  workerId: string;
  leaseMs: number;
  concurrency: number;
  /** A write-back due this long runs even while lock work is still queued (see `dispatch`). */
  writeBackMaxDelayMs: number;
  /** Shared transactions for the small writes that end each lock operation. */
  commits: GroupCommit;
  /** Code rows read again by lock jobs that waited for their lock, batched per turn. */
  codeReads: CodeReads;
  /** One operation per lock at a time, the most urgent job next. */
  lockLanes: LockLanes;
  /** Renews the leases of lock jobs waiting for their lock or its answer, all together. */
  jobLeases: JobLeaseKeeper;
  /** One operation per lock across workers sharing the store; absent when this engine is alone. */
  lockLeases: LockLeases | undefined;
  /** Deletes done jobs and log rows past their retention after a dispatch. */
  housekeeping: Housekeeping;
  /** Providers already reported as unable to write back (logged once, then skipped). */
  warnedNoWriteBack: Set<string>;
}

export const JOB_KINDS = {
  lock: 'lock',
  writeBack: 'writeback',
  syncBookings: 'sync.bookings',
  syncUnits: 'sync.units',
  plan: 'plan',
} as const;

export const lockJobKey = (codeId: string) => `lock:${codeId}`;

const MINUTE_MS = 60_000;

/**
 * The job that brings a code to its lock. Its priority is the minute the code's window opens:
 * among due lock jobs the soonest door goes first (a stay in progress before one next week), so
 * a cold sync of months of bookings serves today's arrivals first, and a last-minute booking
 * overtakes a backlog instead of waiting for it (lock operations can take seconds each). The
 * same holds for taking a code off: a cancelled or moved stay that is under way is urgent, one
 * next month is not. A code whose window has ended no longer opens anything: removing it is
 * housekeeping and comes last.
 */
export function lockJob(
  code: Pick<AccessCode, 'id' | 'propertyId' | 'validFrom' | 'validTo'>,
  now: Date,
): NewJob {
  const minute = Math.floor(code.validFrom.getTime() / MINUTE_MS);
  const ended = code.validTo.getTime() <= now.getTime();
  return {
    kind: JOB_KINDS.lock,
    propertyId: code.propertyId,
    payload: { codeId: code.id },
    dedupeKey: lockJobKey(code.id),
    priority:
      ended || !Number.isFinite(minute)
        ? JOB_PRIORITY_RANGE.max
        : Math.min(JOB_PRIORITY_RANGE.max, Math.max(JOB_PRIORITY_RANGE.min, minute)),
  };
}
export const writeBackJobKey = (propertyId: string) => `writeback:${propertyId}`;
export const planJobKey = (propertyId: string) => `plan:${propertyId}`;
