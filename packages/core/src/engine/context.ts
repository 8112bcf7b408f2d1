import type { Property } from '../domain/schemas.js';
import type { PasscodePolicy } from '../passcode/policy.js';
import type { Clock } from '../ports/clock.js';
import type { LockProvider } from '../ports/lock.js';
import type { Logger } from '../ports/logger.js';
import type { PmsProvider } from '../ports/pms.js';
import type { Store } from '../ports/store.js';
import type { RetryPolicy } from './backoff.js';
import type { EngineEvent } from './events.js';
import type { GroupCommit } from './group-commit.js';

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
  /** Shared transactions for the small writes that end each lock operation. */
  commits: GroupCommit;
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
export const writeBackJobKey = (propertyId: string) => `writeback:${propertyId}`;
export const planJobKey = (propertyId: string) => `plan:${propertyId}`;
