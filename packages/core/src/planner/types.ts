import type { AccessCode, BookingRecord, LockAssignment, Property, UnitMapping } from '../domain/schemas.js';
import type { PasscodePolicy } from '../passcode/policy.js';

export interface PlanInput {
  property: Property;
  /** Bookings of the property (recent and future are enough: older ones only matter via codes). */
  bookings: BookingRecord[];
  mappings: UnitMapping[];
  assignments: LockAssignment[];
  /** This property's codes that are not revoked. */
  codes: AccessCode[];
  /** Live codes of other properties on locks this property uses (shared doors). */
  foreignCodes: AccessCode[];
  policy: PasscodePolicy;
  now: Date;
  /** How long an ended code stays on the lock before it is revoked (default 24 h). */
  graceMs?: number;
  /** How long a code failed by retryable errors waits before it gets a fresh retry budget (default 30 min). */
  failedRetryMs?: number;
  /**
   * Codes one lock holds at most (the lock port's `capabilities.maxCodesPerLock`; null or
   * absent: no limit). New codes beyond it wait, soonest window first (see `plan`).
   */
  maxCodesPerLock?: number | null;
}

/** A code as it should be. */
export interface PlannedCode {
  codeId: string;
  propertyId: string;
  bookingId: string;
  lockId: string;
  passcode: string;
  attempt: number;
  validFrom: Date;
  validTo: Date;
}

export type RevokeReason =
  | 'cancelled'
  | 'not_confirmed'
  | 'moved'
  | 'unassigned'
  | 'unmapped'
  | 'expired'
  | 'booking_missing'
  /** Made room on a full lock for a sooner stay; it comes back when there is room again. */
  | 'lock_full';

export interface RevokeTarget {
  codeId: string;
  bookingId: string;
  lockId: string;
  reason: RevokeReason;
}

export type PlanOperation =
  | { kind: 'create'; code: PlannedCode }
  | {
      kind: 'reschedule';
      code: PlannedCode;
      previous: { passcode: string; validFrom: Date; validTo: Date };
      passcodeChanged: boolean;
    }
  /** Room change: the booking leaves one unit lock for another. */
  | { kind: 'move'; revoke: RevokeTarget; create: PlannedCode }
  | ({ kind: 'revoke' } & RevokeTarget)
  | { kind: 'noop'; codeId: string; bookingId: string; lockId: string };

export type PlanOperationKind = PlanOperation['kind'];

export interface SkippedBooking {
  bookingId: string;
  reason: string;
}

export interface Plan {
  propertyId: string;
  operations: PlanOperation[];
  /** Every code that should exist after the plan is applied. */
  desired: PlannedCode[];
  /** Bookings that get no code, each with the reason. */
  skipped: SkippedBooking[];
}
