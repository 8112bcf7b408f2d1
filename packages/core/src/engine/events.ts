import type { PlanOperationKind } from '../planner/types.js';

/**
 * Everything the engine does, as data, for `onEvent` hooks (progress bars, metrics, audit).
 * Events never carry a passcode or a secret.
 */
export type EngineEvent =
  | { type: 'property.skipped'; propertyId: string; reason: string }
  | { type: 'sync.page'; propertyId: string; bookings: number; quarantined: number }
  | { type: 'sync.done'; propertyId: string; bookings: number; quarantined: number }
  /**
   * Stored bookings the window walk no longer returned: `refetched` were read by id (moved),
   * `gone` the PMS no longer has for this property (stored as cancelled).
   */
  | { type: 'sync.vanished'; propertyId: string; bookings: number; refetched: number; gone: number }
  | { type: 'units.synced'; propertyId: string; units: number }
  | {
      type: 'plan';
      propertyId: string;
      counts: Record<PlanOperationKind, number> & { skipped: number };
      jobs: number;
    }
  | { type: 'lock.call'; op: 'add' | 'change' | 'remove' | 'find'; codeId: string; lockId: string }
  | { type: 'lock.done'; op: 'add' | 'change' | 'remove' | 'adopt'; codeId: string; lockId: string }
  | { type: 'lock.duplicate'; codeId: string; lockId: string; bookingId: string }
  | { type: 'lock.failed'; codeId: string; lockId: string; error: string }
  | { type: 'writeback.done'; propertyId: string; bookingId: string; action: 'upsert' | 'delete' }
  | {
      type: 'writeback.failed';
      propertyId: string;
      bookingId: string;
      action: 'upsert' | 'delete';
      error: string;
    }
  | { type: 'writeback.unsupported'; propertyId: string; provider: string }
  | { type: 'job.done'; jobId: string; kind: string; propertyId: string }
  | { type: 'job.retry'; jobId: string; kind: string; propertyId: string; error: string; retryAt: Date }
  | { type: 'job.dead'; jobId: string; kind: string; propertyId: string; error: string }
  /** Done jobs, log rows and ended bookings past their retention, deleted after a dispatch. */
  | { type: 'store.pruned'; jobs: number; logs: number; bookings: number }
  | { type: 'webhook'; propertyId: string; status: number; events: string[] };

export type EngineEventHandler = (event: EngineEvent) => void;
