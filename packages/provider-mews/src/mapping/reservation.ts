import {
  type Booking,
  type BookingStatus,
  bookingSchema,
  localDateOf,
  parseOrReason,
  type QuarantinedRecord,
  type UnitMapping,
} from '@brafa/core';
import { type Customer, type Reservation, reservationSchema } from '../client/schemas.js';

/**
 * MEWS service order state → core status. `Processed` (checked out) stays confirmed: the
 * window is in the past and core lets the code expire. Unknown future states give no code.
 */
const STATUS: Record<string, BookingStatus> = {
  Confirmed: 'confirmed',
  Started: 'confirmed',
  Processed: 'confirmed',
  Canceled: 'cancelled',
  Inquired: 'unknown',
  Optional: 'unknown',
  Requested: 'unknown',
};

export function mapState(state: string): BookingStatus {
  return STATUS[state] ?? 'unknown';
}

export interface MappingContext {
  propertyId: string;
  /** IANA zone of the enterprise: arrival/departure dates are local dates there. */
  timezone: string;
  enterpriseId: string | null;
  customers: ReadonlyMap<string, Customer>;
  /** When given, resolves `AssignedResourceId` to (roomId, unitName); else core does it. */
  mappings: ReadonlyMap<string, UnitMapping> | null;
}

export type MappedReservation =
  | { ok: true; booking: Booking }
  | { ok: false; quarantined: QuarantinedRecord };

function recordIdOf(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && typeof (raw as { Id?: unknown }).Id === 'string') {
    return (raw as { Id: string }).Id;
  }
  return null;
}

export function guestName(reservation: Reservation, customers: ReadonlyMap<string, Customer>): string {
  if (reservation.AccountType !== 'Customer' || !reservation.AccountId) return '';
  const customer = customers.get(reservation.AccountId);
  if (!customer) return '';
  return [customer.FirstName, customer.LastName]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
}

function externalIds(r: Reservation, enterpriseId: string | null): Record<string, string> {
  const ids: Record<string, string | null | undefined> = {
    reservationId: r.Id,
    // Access tokens and notes reference the reservation as their service order.
    serviceOrderId: r.Id,
    serviceId: r.ServiceId,
    resourceId: r.AssignedResourceId,
    resourceCategoryId: r.RequestedResourceCategoryId,
    customerId: r.AccountType === 'Customer' ? r.AccountId : null,
    accountId: r.AccountId,
    groupId: r.GroupId,
    channelNumber: r.ChannelNumber,
    enterpriseId,
  };
  return Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => Boolean(e[1])));
}

/** One raw MEWS reservation → a core booking, or a quarantine record naming what is wrong. */
export function mapReservation(raw: unknown, ctx: MappingContext): MappedReservation {
  const parsed = parseOrReason(reservationSchema, raw);
  if (!parsed.ok) {
    return {
      ok: false,
      quarantined: { recordId: recordIdOf(raw), reason: `reservation ${parsed.reason}`, raw },
    };
  }
  const r = parsed.value;
  const checkInAt = new Date(r.ScheduledStartUtc);
  const checkOutAt = new Date(r.ScheduledEndUtc);
  if (checkOutAt.getTime() <= checkInAt.getTime()) {
    const reason = 'reservation ScheduledEndUtc: must be after ScheduledStartUtc';
    return { ok: false, quarantined: { recordId: r.Id, reason, raw } };
  }
  const resourceId = r.AssignedResourceId ?? null;
  const mapping = resourceId && ctx.mappings ? ctx.mappings.get(resourceId) : undefined;
  const booking = parseOrReason(bookingSchema, {
    propertyId: ctx.propertyId,
    bookingId: r.Id,
    resourceId,
    roomId: mapping?.roomId ?? null,
    unitName: mapping?.unitName ?? null,
    guestName: guestName(r, ctx.customers),
    arrivalDate: localDateOf(checkInAt, ctx.timezone),
    departureDate: localDateOf(checkOutAt, ctx.timezone),
    checkInAt,
    checkOutAt,
    status: mapState(r.State),
    referenceNumber: r.Number ?? null,
    externalIds: externalIds(r, ctx.enterpriseId),
  });
  if (!booking.ok) {
    return { ok: false, quarantined: { recordId: r.Id, reason: `reservation ${booking.reason}`, raw } };
  }
  return { ok: true, booking: booking.value };
}
