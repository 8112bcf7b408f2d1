import { type Booking, type BookingStatus, bookingSchema, type QuarantinedRecord } from '@brafa/core';
import { type BookingRecord, bookingRecordSchema } from '../client/wire.js';

export interface MappingContext {
  propertyId: string;
  beds24PropertyId: number;
  requestIsConfirmed: boolean;
}

/**
 * Beds24 status → core status (beds24.md §3.4): `confirmed` and `new` get codes; `cancelled`
 * and `black` (a blocked period, no guest) lose them; `inquiry`, `request` (unless the
 * operator says otherwise) and anything unknown get none.
 */
export function mapStatus(status: string, requestIsConfirmed: boolean): BookingStatus {
  switch (status) {
    case 'confirmed':
    case 'new':
      return 'confirmed';
    case 'request':
      return requestIsConfirmed ? 'confirmed' : 'unknown';
    case 'cancelled':
    case 'black':
      return 'cancelled';
    default:
      return 'unknown';
  }
}

/** Beds24's unit id; a missing or 0 `unitId` means "not assigned yet" (beds24.md §3.2). */
export function assignedUnit(record: Pick<BookingRecord, 'unitId'>): number | null {
  return record.unitId && record.unitId > 0 ? record.unitId : null;
}

/** The unit key used as `resourceId` and in unit mappings: `${roomId}:${unitId}`. */
export function resourceIdOf(roomId: number, unitId: number): string {
  return `${roomId}:${unitId}`;
}

function nonEmpty(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function recordIdOf(raw: unknown): string | null {
  const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : null;
}

export type MapResult =
  | { ok: true; booking: Booking; record: BookingRecord }
  | { ok: false; quarantined: QuarantinedRecord };

/**
 * One Beds24 booking record → a core booking. The unit is `(roomId, unitId)` as strings
 * (`roomId` is the room type, `unitId` the physical unit), so lock assignments name them
 * directly and no unit mapping is needed.
 */
export function mapBooking(raw: unknown, ctx: MappingContext): MapResult {
  const quarantine = (reason: string): MapResult => ({
    ok: false,
    quarantined: { recordId: recordIdOf(raw), reason: `Beds24 booking ${reason}`, raw },
  });
  const parsed = bookingRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return quarantine(
      `${(issue?.path ?? []).map(String).join('.') || 'record'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const r = parsed.data;
  if (r.propertyId !== ctx.beds24PropertyId) {
    return quarantine(`propertyId: ${r.propertyId} is not the configured property ${ctx.beds24PropertyId}`);
  }
  const unitId = assignedUnit(r);
  const externalIds: Record<string, string> = {
    beds24BookingId: String(r.id),
    beds24PropertyId: String(r.propertyId),
    beds24RoomId: String(r.roomId),
  };
  if (unitId !== null) externalIds.beds24UnitId = String(unitId);
  if (r.masterId) externalIds.beds24MasterId = String(r.masterId);
  const apiReference = nonEmpty(r.apiReference);
  if (apiReference) externalIds.apiReference = apiReference;
  const booking = bookingSchema.safeParse({
    propertyId: ctx.propertyId,
    bookingId: String(r.id),
    resourceId: unitId === null ? null : resourceIdOf(r.roomId, unitId),
    roomId: String(r.roomId),
    unitName: unitId === null ? null : String(unitId),
    // Empty without the bookings-personal scope (beds24.md §2.4): no error, just no name.
    guestName: [r.firstName, r.lastName]
      .map((s) => s?.trim() ?? '')
      .filter(Boolean)
      .join(' '),
    arrivalDate: r.arrival,
    departureDate: r.departure,
    status: mapStatus(r.status, ctx.requestIsConfirmed),
    referenceNumber: apiReference ?? nonEmpty(r.reference),
    externalIds,
  });
  if (!booking.success) {
    const issue = booking.error.issues[0];
    return quarantine(
      `${(issue?.path ?? []).map(String).join('.') || 'record'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { ok: true, booking: booking.data, record: r };
}
