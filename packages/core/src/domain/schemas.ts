import { IANAZone } from 'luxon';
import { z } from 'zod';

/** `HH:mm`, 24-hour clock, local to the property. */
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm (24-hour)');
/** `YYYY-MM-DD` calendar date, local to the property. */
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a calendar date');
const ianaZone = z.string().refine((zone) => IANAZone.isValidZone(zone), 'not a valid IANA time zone');
const id = z.string().min(1, 'must not be empty');

export const propertySchema = z.object({
  id,
  /** Provider kind this property's bookings come from (the adapter's `kind`). */
  provider: z.string().min(1),
  timezone: ianaZone,
  checkInTime: localTime.default('15:00'),
  checkOutTime: localTime.default('11:00'),
  /** Minutes the door opens before check-in and stays open after check-out. */
  accessBuffers: z
    .object({
      beforeCheckInMinutes: z
        .number()
        .int()
        .min(0)
        .max(24 * 60)
        .default(0),
      afterCheckOutMinutes: z
        .number()
        .int()
        .min(0)
        .max(24 * 60)
        .default(0),
    })
    .default({ beforeCheckInMinutes: 0, afterCheckOutMinutes: 0 }),
  /** Per-property rollout switch: a disabled property is never synced or dispatched. */
  enabled: z.boolean().default(true),
  name: z.string().optional(),
});
export type Property = z.output<typeof propertySchema>;
export type PropertyInput = z.input<typeof propertySchema>;

export const unitSchema = z.object({ propertyId: id, roomId: id, unitName: id });
/** A bookable unit: `roomId` is the room type / room, `unitName` the physical unit in it. */
export type Unit = z.output<typeof unitSchema>;

export const unitMappingSchema = z.object({
  propertyId: id,
  /** The provider's id for the unit (a resource id, a room:unit pair…). */
  resourceId: id,
  resourceName: z.string().nullable().default(null),
  roomId: id,
  unitName: id,
  primary: z.boolean().default(true),
});
export type UnitMapping = z.output<typeof unitMappingSchema>;

export const lockAssignmentSchema = z.discriminatedUnion('scope', [
  z.object({ propertyId: id, lockId: id, scope: z.literal('unit'), roomId: id, unitName: id }),
  /** A common door (entrance, gym): every guest of the property gets a code on it. */
  z.object({ propertyId: id, lockId: id, scope: z.literal('property') }),
]);
export type LockAssignment = z.output<typeof lockAssignmentSchema>;

export const bookingStatusSchema = z.enum(['confirmed', 'cancelled', 'unknown']);
export type BookingStatus = z.output<typeof bookingStatusSchema>;

export const bookingSchema = z
  .object({
    propertyId: id,
    /** Stable id across updates (the PMS's reservation / service order id). */
    bookingId: id,
    /** Provider's unit id; resolved to (roomId, unitName) through unit mappings. */
    resourceId: z.string().nullable().default(null),
    roomId: z.string().nullable().default(null),
    unitName: z.string().nullable().default(null),
    guestName: z.string().default(''),
    arrivalDate: localDate,
    departureDate: localDate,
    /** Exact instants when the PMS has them; they win over dates + property times. */
    checkInAt: z.date().nullable().default(null),
    checkOutAt: z.date().nullable().default(null),
    status: bookingStatusSchema,
    referenceNumber: z.string().nullable().default(null),
    /** Provider ids kept verbatim (reservation, service order, resource, enterprise, token…). */
    externalIds: z.record(z.string(), z.string()).default({}),
  })
  .refine((b) => b.departureDate >= b.arrivalDate, {
    message: 'departureDate is before arrivalDate',
    path: ['departureDate'],
  });
export type Booking = z.output<typeof bookingSchema>;
export type BookingInput = z.input<typeof bookingSchema>;

/** What the store keeps per booking beyond the PMS fields; never written by a sync. */
export interface BookingState {
  /** First passcode attempt to use; bumped by reissue or a foreign duplicate on a lock. */
  passcodeAttempt: number;
  /** Fingerprint of the last successful PMS write-back (passcode + window), or null. */
  writeBackKey: string | null;
  /** Provider's id of what we wrote (an access-token id, an info-item id…). */
  writeBackRef: string | null;
  writeBackError: string | null;
  /** Set when a booking is known but cannot get a code (unmapped unit, no lock, …). */
  issue: string | null;
  updatedAt: Date;
}
export type BookingRecord = Booking & BookingState;

/** The state of a booking the store has never seen. */
export function initialBookingState(now: Date): BookingState {
  return {
    passcodeAttempt: 0,
    writeBackKey: null,
    writeBackRef: null,
    writeBackError: null,
    issue: null,
    updatedAt: now,
  };
}

export const accessCodeStates = [
  'pending', // must be put on the lock (add, or change when lockCodeId is known)
  'active', // the lock holds exactly this passcode and window
  'pending_revoke', // must be removed from the lock
  'revoked', // gone from the lock (kept as history)
  'failed', // gave up with a reason; re-planned when the booking changes
] as const;
export type AccessCodeState = (typeof accessCodeStates)[number];

/**
 * One code per (booking, lock). The passcode and window are the target; `state` tells
 * whether the lock already holds that target.
 */
export interface AccessCode {
  /** `${propertyId}:${bookingId}:${lockId}` — stable, so re-plans address the same row. */
  id: string;
  propertyId: string;
  bookingId: string;
  lockId: string;
  passcode: string;
  /** The passcode attempt that produced `passcode`. */
  attempt: number;
  validFrom: Date;
  validTo: Date;
  lockCodeId: string | null;
  /**
   * The digits the lock holds under `lockCodeId` (null when none): a change sends new digits
   * only when they differ, because some locks refuse a "change" to the digits they already hold.
   */
  lockPasscode: string | null;
  state: AccessCodeState;
  /** Incremented on every target change, so a finishing lock call can tell it is stale. */
  revision: number;
  /** Lock calls made for the current target. */
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

export function accessCodeId(propertyId: string, bookingId: string, lockId: string): string {
  return `${propertyId}:${bookingId}:${lockId}`;
}

export function isLiveCode(code: Pick<AccessCode, 'state'>): boolean {
  return code.state !== 'revoked' && code.state !== 'pending_revoke';
}
