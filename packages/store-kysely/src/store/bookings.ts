import type { Booking, BookingRecord, BookingState, BookingSummary, ListBookingsOptions } from '@brafa/core';
import type { Insertable, Updateable } from 'kysely';
import type { BookingsTable } from '../schema/database.js';
import { ms, rowToBooking } from './codec.js';
import { inChunks, lastByKey, type StoreContext } from './context.js';
import { param, runPrepared } from './prepared.js';
import { runPreparedRows } from './prepared-rows.js';

function bookingToRow(b: Booking, now: Date): Insertable<BookingsTable> {
  return {
    property_id: b.propertyId,
    booking_id: b.bookingId,
    resource_id: b.resourceId,
    room_id: b.roomId,
    unit_name: b.unitName,
    guest_name: b.guestName,
    arrival_date: b.arrivalDate,
    departure_date: b.departureDate,
    check_in_at: b.checkInAt ? ms(b.checkInAt) : null,
    check_out_at: b.checkOutAt ? ms(b.checkOutAt) : null,
    status: b.status,
    reference_number: b.referenceNumber,
    external_ids: JSON.stringify(b.externalIds),
    created_at: ms(now),
    updated_at: ms(now),
  };
}

/**
 * Insert or update by (propertyId, bookingId), in statements of fixed sizes (see
 * `runPreparedRows`), all in one transaction (10,000 bookings = one commit, one fsync). On conflict only the PMS
 * columns are overwritten, so the engine's BookingState (passcode attempt, write-back) stays.
 */
export async function upsertBookings(ctx: StoreContext, bookings: Booking[], now: Date): Promise<void> {
  const rows = lastByKey(bookings, (b) => `${b.propertyId}\u0000${b.bookingId}`).map((b) =>
    bookingToRow(b, now),
  );
  if (rows.length === 0) return;
  await ctx.atomic((db) =>
    runPreparedRows(ctx, db, 'bookings:upsert', rows, (d, part) =>
      d
        .insertInto('bookings')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['property_id', 'booking_id']).doUpdateSet((eb) => ({
            resource_id: eb.ref('excluded.resource_id'),
            room_id: eb.ref('excluded.room_id'),
            unit_name: eb.ref('excluded.unit_name'),
            guest_name: eb.ref('excluded.guest_name'),
            arrival_date: eb.ref('excluded.arrival_date'),
            departure_date: eb.ref('excluded.departure_date'),
            check_in_at: eb.ref('excluded.check_in_at'),
            check_out_at: eb.ref('excluded.check_out_at'),
            status: eb.ref('excluded.status'),
            reference_number: eb.ref('excluded.reference_number'),
            external_ids: eb.ref('excluded.external_ids'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    ),
  );
}

export async function getBooking(
  ctx: StoreContext,
  propertyId: string,
  bookingId: string,
): Promise<BookingRecord | undefined> {
  const row = await ctx.db
    .selectFrom('bookings')
    .selectAll()
    .where('property_id', '=', propertyId)
    .where('booking_id', '=', bookingId)
    .executeTakeFirst();
  return row && rowToBooking(row);
}

/**
 * The bookings both lists read: the property's, with `ids` (one IN list) and the paging and
 * departure options, in booking-id order. The caller picks the columns.
 */
function listed(
  ctx: StoreContext,
  propertyId: string,
  options: Omit<ListBookingsOptions, 'bookingIds'>,
  ids?: string[],
) {
  const { departingOnOrAfter, afterBookingId, limit } = options;
  return (
    ctx.db
      .selectFrom('bookings')
      .where('property_id', '=', propertyId)
      .$if(ids !== undefined, (q) => q.where('booking_id', 'in', ids!))
      .$if(afterBookingId !== undefined, (q) => q.where('booking_id', '>', afterBookingId!))
      // ISO dates compare correctly as text.
      .$if(departingOnOrAfter !== undefined, (q) => q.where('departure_date', '>=', departingOnOrAfter!))
      .orderBy('booking_id')
      .$if(limit !== undefined, (q) => q.limit(limit!))
  );
}

export async function listBookings(
  ctx: StoreContext,
  propertyId: string,
  options: ListBookingsOptions = {},
): Promise<BookingRecord[]> {
  const { bookingIds, afterBookingId, limit } = options;
  const select = (ids: string[] | undefined) => listed(ctx, propertyId, options, ids).selectAll().execute();
  if (!bookingIds) return (await select(undefined)).map(rowToBooking);
  if (limit !== undefined || afterBookingId !== undefined)
    throw new RangeError('listBookings: bookingIds cannot be combined with afterBookingId or limit');
  const rows = await inChunks(bookingIds, select);
  return rows
    .sort((a, b) => (a.booking_id < b.booking_id ? -1 : a.booking_id > b.booking_id ? 1 : 0))
    .map(rowToBooking);
}

export async function listBookingSummaries(
  ctx: StoreContext,
  propertyId: string,
  options: Omit<ListBookingsOptions, 'bookingIds'> = {},
): Promise<BookingSummary[]> {
  const rows = await listed(ctx, propertyId, options)
    .select(['booking_id', 'status', 'arrival_date', 'departure_date'])
    .execute();
  return rows.map((r) => ({
    bookingId: r.booking_id,
    status: r.status as BookingSummary['status'],
    arrivalDate: r.arrival_date,
    departureDate: r.departure_date,
  }));
}

export async function updateBookingState(
  ctx: StoreContext,
  propertyId: string,
  bookingId: string,
  patch: Partial<Omit<BookingState, 'updatedAt'>>,
  now: Date,
): Promise<void> {
  const set: Updateable<BookingsTable> = { updated_at: ms(now) };
  if (patch.passcodeAttempt !== undefined) set.passcode_attempt = patch.passcodeAttempt;
  if (patch.writeBackKey !== undefined) set.write_back_key = patch.writeBackKey;
  if (patch.writeBackRef !== undefined) set.write_back_ref = patch.writeBackRef;
  if (patch.writeBackError !== undefined) set.write_back_error = patch.writeBackError;
  if (patch.issue !== undefined) set.issue = patch.issue;
  // Prepared per set of columns: a write-back records thousands of these in one transaction.
  const columns = Object.keys(set) as Array<keyof typeof set>;
  await runPrepared(
    ctx,
    `updateBookingState:${columns.join(',')}`,
    (db) =>
      db
        .updateTable('bookings')
        .set(Object.fromEntries(columns.map((c) => [c, param(`set.${c}`)])))
        .where('property_id', '=', param<string>('propertyId'))
        .where('booking_id', '=', param<string>('bookingId')),
    { propertyId, bookingId, ...Object.fromEntries(columns.map((c) => [`set.${c}`, set[c]])) },
  );
}

export async function pruneEndedBookings(
  ctx: StoreContext,
  propertyId: string,
  options: { departedBefore: string; limit: number },
): Promise<number> {
  const limit = Math.floor(options.limit);
  if (!(limit > 0)) return 0;
  return ctx.atomic(async (db) => {
    // Through bookings_departure_idx (property, departure): the earliest departures first.
    const ended = await db
      .selectFrom('bookings as b')
      .select('b.booking_id')
      .where('b.property_id', '=', propertyId)
      .where('b.departure_date', '<', options.departedBefore)
      // The PMS holds nothing of ours for it (see desiredWriteBack: otherwise a delete is due).
      .where('b.write_back_key', 'is', null)
      .where('b.write_back_error', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('access_codes as c')
              .select('c.id')
              .whereRef('c.property_id', '=', 'b.property_id')
              .whereRef('c.booking_id', '=', 'b.booking_id')
              .where('c.state', '!=', 'revoked'),
          ),
        ),
      )
      .orderBy('b.departure_date')
      .limit(limit)
      // Workers pruning one property at once on PostgreSQL take disjoint stays (see pruneJobs).
      .$if(ctx.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
      .execute();
    const deleted = await inChunks(
      ended.map((r) => r.booking_id),
      async (part) => {
        await db
          .deleteFrom('access_codes')
          .where('property_id', '=', propertyId)
          .where('booking_id', 'in', part)
          .execute();
        const result = await db
          .deleteFrom('bookings')
          .where('property_id', '=', propertyId)
          .where('booking_id', 'in', part)
          .executeTakeFirst();
        return [Number(result.numDeletedRows)];
      },
    );
    return deleted.reduce((sum, n) => sum + n, 0);
  });
}
