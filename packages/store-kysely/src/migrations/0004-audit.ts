// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on an untyped Kysely by design
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { columnsFor } from './columns.js';

/** Audit trail (webhooks, write-backs, quarantined records) and sync checkpoints. */
export const auditAndCheckpoints: Migration = {
  async up(db: Kysely<any>) {
    const { instant, withId } = columnsFor(db);
    await withId(db.schema.createTable('webhook_logs'))
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('received_at', instant, (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .execute();
    await db.schema
      .createIndex('webhook_logs_property_idx')
      .on('webhook_logs')
      .columns(['property_id', 'id'])
      .execute();

    await withId(db.schema.createTable('writeback_logs'))
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('booking_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('upsert', 'delete')`))
      .addColumn('at', instant, (c) => c.notNull())
      .addColumn('ok', 'integer', (c) => c.notNull().check(sql`ok in (0, 1)`))
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('ref', 'text')
      .addColumn('error', 'text')
      .execute();
    await db.schema
      .createIndex('writeback_logs_property_idx')
      .on('writeback_logs')
      .columns(['property_id', 'id'])
      .execute();
    await db.schema
      .createIndex('writeback_logs_booking_idx')
      .on('writeback_logs')
      .columns(['booking_id', 'id'])
      .execute();

    await withId(db.schema.createTable('quarantine'))
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('raw', 'text', (c) => c.notNull())
      .addColumn('at', instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('quarantine_property_idx')
      .on('quarantine')
      .columns(['property_id', 'id'])
      .execute();

    await db.schema
      .createTable('checkpoints')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
