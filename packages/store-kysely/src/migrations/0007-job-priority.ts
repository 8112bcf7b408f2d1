// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on an untyped Kysely by design
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Due jobs are claimed by `priority` first (see `NewJob.priority`: the engine gives a lock job
 * the minute its code's window opens, so the soonest door goes first). Jobs queued before this
 * version get 0, which keeps them ahead of new lock jobs: they were first in line already.
 * The claim index leads with the same order, so a claim still stops after `limit` rows.
 */
export const jobPriority: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('jobs')
      .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.dropIndex('jobs_due_idx').execute();
    await db.schema
      .createIndex('jobs_due_priority_idx')
      .on('jobs')
      .columns(['status', 'priority', 'run_after', 'id'])
      .execute();
  },
};
