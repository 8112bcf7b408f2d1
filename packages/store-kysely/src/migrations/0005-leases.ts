// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on an untyped Kysely by design
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { columnsFor } from './columns.js';

/** Leases: mutual exclusion across workers (e.g. one write-back per property at a time). */
export const leases: Migration = {
  async up(db: Kysely<any>) {
    const { instant } = columnsFor(db);
    await db.schema
      .createTable('leases')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', instant, (c) => c.notNull())
      .execute();
  },
};
