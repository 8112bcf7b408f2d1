// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on an untyped Kysely by design
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { columnsFor } from './columns.js';

/** The durable outbox: lock operations, write-backs, syncs. */
export const jobs: Migration = {
  async up(db: Kysely<any>) {
    const { instant, withId } = columnsFor(db);
    await withId(db.schema.createTable('jobs'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('property_id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('queued', 'running', 'done', 'dead')`),
      )
      .addColumn('run_after', instant, (c) => c.notNull())
      .addColumn('dedupe_key', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', instant)
      .addColumn('last_error', 'text')
      .addColumn('created_at', instant, (c) => c.notNull())
      .addColumn('updated_at', instant, (c) => c.notNull())
      .execute();
    // claimJobs, branch 1: queued and due, oldest run_after first.
    await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['status', 'run_after', 'id']).execute();
    // claimJobs, branch 2: running with an expired lease.
    await db.schema
      .createIndex('jobs_lease_idx')
      .on('jobs')
      .columns(['status', 'lease_expires_at'])
      .execute();
    // enqueueJobs de-duplicates only against queued jobs: a partial index holds exactly those.
    await db.schema
      .createIndex('jobs_queued_dedupe_idx')
      .on('jobs')
      .column('dedupe_key')
      .where(sql.ref('status'), '=', 'queued')
      .execute();
    // listJobs / countJobs per property.
    await db.schema.createIndex('jobs_property_idx').on('jobs').columns(['property_id', 'status']).execute();
  },
};
