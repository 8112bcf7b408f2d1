// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on an untyped Kysely by design
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { columnsFor } from './columns.js';

/** Bookings (PMS fields + the engine's BookingState) and the access codes planned from them. */
export const bookingsAndCodes: Migration = {
  async up(db: Kysely<any>) {
    const { instant } = columnsFor(db);
    await db.schema
      .createTable('bookings')
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('booking_id', 'text', (c) => c.notNull())
      .addColumn('resource_id', 'text')
      .addColumn('room_id', 'text')
      .addColumn('unit_name', 'text')
      .addColumn('guest_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('arrival_date', 'text', (c) => c.notNull())
      .addColumn('departure_date', 'text', (c) => c.notNull())
      .addColumn('check_in_at', instant)
      .addColumn('check_out_at', instant)
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('confirmed', 'cancelled', 'unknown')`),
      )
      .addColumn('reference_number', 'text')
      .addColumn('external_ids', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('passcode_attempt', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('write_back_key', 'text')
      .addColumn('write_back_ref', 'text')
      .addColumn('write_back_error', 'text')
      .addColumn('issue', 'text')
      .addColumn('created_at', instant, (c) => c.notNull())
      .addColumn('updated_at', instant, (c) => c.notNull())
      .addPrimaryKeyConstraint('bookings_pk', ['property_id', 'booking_id'])
      .execute();
    // listBookings(propertyId, { departingOnOrAfter }) — the sync window query.
    await db.schema
      .createIndex('bookings_departure_idx')
      .on('bookings')
      .columns(['property_id', 'departure_date'])
      .execute();

    await db.schema
      .createTable('access_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('booking_id', 'text', (c) => c.notNull())
      .addColumn('lock_id', 'text', (c) => c.notNull())
      .addColumn('passcode', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('valid_from', instant, (c) => c.notNull())
      .addColumn('valid_to', instant, (c) => c.notNull())
      .addColumn('lock_code_id', 'text')
      .addColumn('lock_passcode', 'text')
      .addColumn('state', 'text', (c) =>
        c.notNull().check(sql`state in ('pending', 'active', 'pending_revoke', 'revoked', 'failed')`),
      )
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('updated_at', instant, (c) => c.notNull())
      .execute();
    // listAccessCodes by property (+ booking), and by lock across properties (uniqueness per lock).
    await db.schema
      .createIndex('access_codes_booking_idx')
      .on('access_codes')
      .columns(['property_id', 'booking_id'])
      .execute();
    await db.schema
      .createIndex('access_codes_lock_idx')
      .on('access_codes')
      .columns(['lock_id', 'state'])
      .execute();
  },
};
