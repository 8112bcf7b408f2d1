import type {
  AccessCode,
  AccessCodeState,
  BookingRecord,
  BookingStatus,
  Job,
  JobStatus,
  JsonObject,
  LockAssignment,
  Property,
  UnitMapping,
} from '@brafa/core';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type {
  AccessCodesTable,
  BookingsTable,
  JobsTable,
  LockAssignmentsTable,
  PropertiesTable,
  UnitMappingsTable,
} from '../schema/database.js';

// Translations between domain objects and rows. The conventions are documented in
// ../schema/database.ts: epoch-ms instants, 0/1 flags, JSON as text.

export const ms = (date: Date): number => date.getTime();
/** PostgreSQL returns `bigint` columns as strings; SQLite as numbers. */
export const toDate = (value: number | string | bigint): Date => new Date(Number(value));
export const toDateOrNull = (value: number | string | bigint | null): Date | null =>
  value === null ? null : toDate(value);
export const flag = (value: boolean): number => (value ? 1 : 0);
export const toId = (value: number | string | bigint): string => String(value);

export function propertyToRow(p: Property): PropertiesTable {
  return {
    id: p.id,
    provider: p.provider,
    timezone: p.timezone,
    check_in_time: p.checkInTime,
    check_out_time: p.checkOutTime,
    before_check_in_minutes: p.accessBuffers.beforeCheckInMinutes,
    after_check_out_minutes: p.accessBuffers.afterCheckOutMinutes,
    enabled: flag(p.enabled),
    name: p.name ?? null,
  };
}

export function rowToProperty(r: Selectable<PropertiesTable>): Property {
  const property: Property = {
    id: r.id,
    provider: r.provider,
    timezone: r.timezone,
    checkInTime: r.check_in_time,
    checkOutTime: r.check_out_time,
    accessBuffers: {
      beforeCheckInMinutes: Number(r.before_check_in_minutes),
      afterCheckOutMinutes: Number(r.after_check_out_minutes),
    },
    enabled: Number(r.enabled) === 1,
  };
  // `name` is optional in the schema: absent stays absent rather than becoming null.
  if (r.name !== null) property.name = r.name;
  return property;
}

export function rowToUnitMapping(r: Selectable<UnitMappingsTable>): UnitMapping {
  return {
    propertyId: r.property_id,
    resourceId: r.resource_id,
    resourceName: r.resource_name,
    roomId: r.room_id,
    unitName: r.unit_name,
    primary: Number(r.is_primary) === 1,
  };
}

export function rowToLockAssignment(r: Selectable<LockAssignmentsTable>): LockAssignment {
  if (r.scope === 'property') return { propertyId: r.property_id, lockId: r.lock_id, scope: 'property' };
  return {
    propertyId: r.property_id,
    lockId: r.lock_id,
    scope: 'unit',
    roomId: r.room_id ?? '',
    unitName: r.unit_name ?? '',
  };
}

export function rowToBooking(r: Selectable<BookingsTable>): BookingRecord {
  return {
    propertyId: r.property_id,
    bookingId: r.booking_id,
    resourceId: r.resource_id,
    roomId: r.room_id,
    unitName: r.unit_name,
    guestName: r.guest_name,
    arrivalDate: r.arrival_date,
    departureDate: r.departure_date,
    checkInAt: toDateOrNull(r.check_in_at),
    checkOutAt: toDateOrNull(r.check_out_at),
    status: r.status as BookingStatus,
    referenceNumber: r.reference_number,
    externalIds: JSON.parse(r.external_ids) as Record<string, string>,
    passcodeAttempt: Number(r.passcode_attempt),
    writeBackKey: r.write_back_key,
    writeBackRef: r.write_back_ref,
    writeBackError: r.write_back_error,
    issue: r.issue,
    updatedAt: toDate(r.updated_at),
  };
}

export function accessCodeToRow(c: AccessCode): Insertable<AccessCodesTable> {
  return {
    id: c.id,
    property_id: c.propertyId,
    booking_id: c.bookingId,
    lock_id: c.lockId,
    passcode: c.passcode,
    attempt: c.attempt,
    valid_from: ms(c.validFrom),
    valid_to: ms(c.validTo),
    lock_code_id: c.lockCodeId,
    lock_passcode: c.lockPasscode,
    state: c.state,
    revision: c.revision,
    attempts: c.attempts,
    last_error: c.lastError,
    updated_at: ms(c.updatedAt),
  };
}

/** The columns an `updateAccessCode` patch touches; keys absent from the patch stay as they are. */
export function accessCodePatchToRow(patch: Partial<Omit<AccessCode, 'id'>>): Updateable<AccessCodesTable> {
  const row: Updateable<AccessCodesTable> = {};
  if (patch.propertyId !== undefined) row.property_id = patch.propertyId;
  if (patch.bookingId !== undefined) row.booking_id = patch.bookingId;
  if (patch.lockId !== undefined) row.lock_id = patch.lockId;
  if (patch.passcode !== undefined) row.passcode = patch.passcode;
  if (patch.attempt !== undefined) row.attempt = patch.attempt;
  if (patch.validFrom !== undefined) row.valid_from = ms(patch.validFrom);
  if (patch.validTo !== undefined) row.valid_to = ms(patch.validTo);
  if (patch.lockCodeId !== undefined) row.lock_code_id = patch.lockCodeId;
  if (patch.lockPasscode !== undefined) row.lock_passcode = patch.lockPasscode;
  if (patch.state !== undefined) row.state = patch.state;
  if (patch.revision !== undefined) row.revision = patch.revision;
  if (patch.attempts !== undefined) row.attempts = patch.attempts;
  if (patch.lastError !== undefined) row.last_error = patch.lastError;
  if (patch.updatedAt !== undefined) row.updated_at = ms(patch.updatedAt);
  return row;
}

export function rowToAccessCode(r: Selectable<AccessCodesTable>): AccessCode {
  return {
    id: r.id,
    propertyId: r.property_id,
    bookingId: r.booking_id,
    lockId: r.lock_id,
    passcode: r.passcode,
    attempt: Number(r.attempt),
    validFrom: toDate(r.valid_from),
    validTo: toDate(r.valid_to),
    lockCodeId: r.lock_code_id,
    lockPasscode: r.lock_passcode,
    state: r.state as AccessCodeState,
    revision: Number(r.revision),
    attempts: Number(r.attempts),
    lastError: r.last_error,
    updatedAt: toDate(r.updated_at),
  };
}

export function rowToJob(r: Selectable<JobsTable>): Job {
  return {
    id: toId(r.id),
    kind: r.kind,
    propertyId: r.property_id,
    payload: JSON.parse(r.payload) as JsonObject,
    status: r.status as JobStatus,
    runAfter: toDate(r.run_after),
    priority: Number(r.priority),
    dedupeKey: r.dedupe_key,
    attempts: Number(r.attempts),
    rerunAfter: toDateOrNull(r.rerun_after),
    leaseOwner: r.lease_owner,
    leaseExpiresAt: toDateOrNull(r.lease_expires_at),
    lastError: r.last_error,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

/** Job ids are integers; anything else cannot name a job (and must not reach a bigint column). */
export function parseJobId(id: string): number | undefined {
  return /^\d{1,15}$/.test(id) ? Number(id) : undefined;
}
