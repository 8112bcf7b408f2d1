import { DateTime } from 'luxon';
import type { Booking, Property } from '../domain/schemas.js';

export interface AccessWindow {
  validFrom: Date;
  validTo: Date;
}

const MINUTE = 60_000;

/**
 * When the door opens for a booking. PMS instants win (they already are absolute); otherwise
 * the arrival/departure dates at the property's local check-in/check-out times, resolved in
 * the property's IANA zone so DST changes move the UTC instant, not the local time. Buffers
 * are then applied in absolute minutes. The start is floored and the end ceiled to the
 * minute, because locks and PMSs work in minutes and a guest must never lose a minute.
 */
export function accessWindow(
  property: Pick<Property, 'timezone' | 'checkInTime' | 'checkOutTime' | 'accessBuffers'>,
  booking: Pick<Booking, 'arrivalDate' | 'departureDate' | 'checkInAt' | 'checkOutAt'>,
): AccessWindow {
  const start =
    booking.checkInAt ?? localInstant(booking.arrivalDate, property.checkInTime, property.timezone);
  const end =
    booking.checkOutAt ?? localInstant(booking.departureDate, property.checkOutTime, property.timezone);
  const from = start.getTime() - property.accessBuffers.beforeCheckInMinutes * MINUTE;
  const to = end.getTime() + property.accessBuffers.afterCheckOutMinutes * MINUTE;
  return {
    validFrom: new Date(Math.floor(from / MINUTE) * MINUTE),
    validTo: new Date(Math.ceil(to / MINUTE) * MINUTE),
  };
}

/**
 * A local wall-clock time on a date in a zone, as a UTC instant. In the spring-forward gap
 * (e.g. 02:30 that does not exist) luxon moves forward by the gap; in the autumn overlap it
 * takes the earlier offset — both keep the door open rather than shut.
 */
export function localInstant(date: string, time: string, zone: string): Date {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) throw new RangeError(`invalid local time ${date}T${time} in ${zone}: ${dt.invalidReason}`);
  return dt.toJSDate();
}

// Resolving a zone costs luxon an `Intl` formatting per call (~20 µs); a sync asks for the same
// few hundred instants (arrivals and departures share their times of day) tens of thousands
// of times. The answer depends only on the instant and the zone, so it is remembered; the
// map is emptied when it fills, which bounds it without bookkeeping.
const LOCAL_DATES_KEPT = 4096;
const localDates = new Map<string, string>();

/** The date at `instant` in `zone` (today's date in the property's zone), `YYYY-MM-DD`. */
export function localDateOf(instant: Date, zone: string): string {
  const key = `${instant.getTime()}|${zone}`;
  const known = localDates.get(key);
  if (known !== undefined) return known;
  const date = DateTime.fromJSDate(instant, { zone }).toISODate() ?? '';
  if (localDates.size >= LOCAL_DATES_KEPT) localDates.clear();
  localDates.set(key, date);
  return date;
}

/** Shift a local `YYYY-MM-DD` date by whole days. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() ?? date;
}

export function windowsOverlap(a: AccessWindow, b: AccessWindow): boolean {
  return a.validFrom.getTime() < b.validTo.getTime() && b.validFrom.getTime() < a.validTo.getTime();
}

export function sameWindow(a: AccessWindow, b: AccessWindow): boolean {
  return a.validFrom.getTime() === b.validFrom.getTime() && a.validTo.getTime() === b.validTo.getTime();
}
