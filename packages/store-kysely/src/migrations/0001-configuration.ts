// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on an untyped Kysely by design
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Properties, units, unit mappings and lock assignments: configuration read by every sync. */
export const configuration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('properties')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('check_in_time', 'text', (c) => c.notNull())
      .addColumn('check_out_time', 'text', (c) => c.notNull())
      .addColumn('before_check_in_minutes', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('after_check_out_minutes', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1).check(sql`enabled in (0, 1)`))
      .addColumn('name', 'text')
      .execute();

    await db.schema
      .createTable('units')
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('unit_name', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('units_pk', ['property_id', 'position'])
      .execute();

    await db.schema
      .createTable('unit_mappings')
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('resource_name', 'text')
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('unit_name', 'text', (c) => c.notNull())
      .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(1).check(sql`is_primary in (0, 1)`))
      .addPrimaryKeyConstraint('unit_mappings_pk', ['property_id', 'position'])
      .execute();
    // Webhooks name a provider resource; resolving it to a unit is a lookup by resource id.
    await db.schema
      .createIndex('unit_mappings_resource_idx')
      .on('unit_mappings')
      .columns(['property_id', 'resource_id'])
      .execute();

    await db.schema
      .createTable('lock_assignments')
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('lock_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('unit', 'property')`))
      .addColumn('room_id', 'text')
      .addColumn('unit_name', 'text')
      .addPrimaryKeyConstraint('lock_assignments_pk', ['property_id', 'position'])
      .addCheckConstraint(
        'lock_assignments_unit_check',
        sql`scope = 'property' or (room_id is not null and unit_name is not null)`,
      )
      .execute();
    // A lock shared by several properties: find every property that uses it.
    await db.schema
      .createIndex('lock_assignments_lock_idx')
      .on('lock_assignments')
      .column('lock_id')
      .execute();
  },
};
