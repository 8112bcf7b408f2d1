import { openKysely } from '@brafa/store-kysely';

/**
 * Moves the job queue forward in time, as if the cron interval (or the operator's patience)
 * had passed: retries waiting for their backoff become due and leases of killed workers
 * expire. Real time is not simulated elsewhere: the child processes run on the wall clock.
 *
 * Why: the engine's backoff honours vendor hints (TTLock -3002 asks for 2 minutes, 90000 for
 * 30 s) and a lease lasts 5 minutes. Waiting those out for real would make this suite take
 * hours; the config has no knob for them (see docs/reliability.md). Only ever called while no
 * `brafa` process is running.
 */
export async function advanceQueueClock(database: string): Promise<{ due: number; released: number }> {
  const db = await openKysely(database);
  try {
    // Before the first run has migrated there is no queue to move.
    const tables = await db.introspection.getTables();
    if (!tables.some((t) => t.name === 'jobs')) return { due: 0, released: 0 };
    const now = Date.now();
    const due = await db
      .updateTable('jobs')
      .set({ run_after: now - 1 })
      .where('status', '=', 'queued')
      .where('run_after', '>', now - 1)
      .executeTakeFirst();
    const released = await db
      .updateTable('jobs')
      .set({ lease_expires_at: now - 1 })
      .where('status', '=', 'running')
      .executeTakeFirst();
    // Store leases (a property's write-back) run on the same clock as job leases.
    if (tables.some((t) => t.name === 'leases')) {
      await db
        .updateTable('leases')
        .set({ expires_at: now - 1 })
        .execute();
    }
    return { due: Number(due.numUpdatedRows), released: Number(released.numUpdatedRows) };
  } finally {
    await db.destroy();
  }
}
