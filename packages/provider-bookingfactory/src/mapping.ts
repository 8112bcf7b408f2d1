import { type Booking, type BookingStatus, bookingSchema, type QuarantinedRecord } from '@brafa/core';
import type { TbfContract } from './contract.js';
import { readPath, readText } from './fields.js';

export interface MappingContext {
  propertyId: string;
  contract: TbfContract;
}

export interface MappedReservation {
  bookings: Booking[];
  quarantined: QuarantinedRecord[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function mapStatus(status: string | null, statuses: TbfContract['statuses']): BookingStatus {
  const value = status?.toLowerCase() ?? '';
  if (statuses.confirmed.map((s) => s.toLowerCase()).includes(value)) return 'confirmed';
  if (statuses.cancelled.map((s) => s.toLowerCase()).includes(value)) return 'cancelled';
  return 'unknown';
}

/**
 * One TBF reservation → one core booking per room line, because a keycode is written per
 * (booking, room). The core `bookingId` is `${tbfBookingId}:${lineId}` (or the TBF id alone
 * when the contract says a booking is its own single room line). The room is the unit:
 * `roomId` = TBF room id, `unitName` = the same id (names are labels, ids are stable).
 */
export function mapReservation(raw: unknown, ctx: MappingContext): MappedReservation {
  const { booking: f, room: r } = ctx.contract;
  const id = readText(raw, f.id);
  const out: MappedReservation = { bookings: [], quarantined: [] };
  const quarantine = (reason: string, recordId: string | null = id) =>
    out.quarantined.push({ recordId, reason: `TBF booking ${reason}`, raw });
  if (!id) {
    quarantine(`${f.id}: missing id`);
    return out;
  }
  const arrival = readText(raw, f.arrival);
  const departure = readText(raw, f.departure);
  if (!arrival || !DATE.test(arrival)) {
    quarantine(`${f.arrival}: expected YYYY-MM-DD`);
    return out;
  }
  if (!departure || !DATE.test(departure)) {
    quarantine(`${f.departure}: expected YYYY-MM-DD`);
    return out;
  }
  const lines = f.rooms === null ? [raw] : readPath(raw, f.rooms);
  if (!Array.isArray(lines) || lines.length === 0) {
    quarantine(`${f.rooms}: expected a non-empty array of room lines`);
    return out;
  }
  const reference = readText(raw, f.reference);
  const guestName = [readText(raw, f.guestFirstName), readText(raw, f.guestLastName)]
    .filter(Boolean)
    .join(' ');
  const status = mapStatus(readText(raw, f.status), ctx.contract.statuses);
  for (const line of lines) {
    const lineId = f.rooms === null ? null : readText(line, r.lineId);
    if (f.rooms !== null && !lineId) {
      quarantine(`${f.rooms}.${r.lineId}: missing room line id`);
      continue;
    }
    const roomId = readText(line, r.roomId);
    const externalIds: Record<string, string> = { tbfBookingId: id };
    if (lineId) externalIds.tbfRoomLineId = lineId;
    if (roomId) externalIds.tbfRoomId = roomId;
    const roomName = readText(line, r.roomName);
    if (roomName) externalIds.tbfRoomName = roomName;
    if (reference) externalIds.tbfReference = reference;
    const parsed = bookingSchema.safeParse({
      propertyId: ctx.propertyId,
      bookingId: lineId ? `${id}:${lineId}` : id,
      resourceId: roomId,
      roomId,
      unitName: roomId,
      guestName,
      arrivalDate: arrival,
      departureDate: departure,
      status,
      referenceNumber: reference,
      externalIds,
    });
    if (parsed.success) out.bookings.push(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      quarantine(`${(issue?.path ?? []).map(String).join('.') || 'record'}: ${issue?.message ?? 'invalid'}`);
    }
  }
  return out;
}
