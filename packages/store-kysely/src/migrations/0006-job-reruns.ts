// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on an untyped Kysely by design
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { columnsFor } from './columns.js';

/**
 * One queued-or-running job per dedupe key, enforced by the database. Until now a key
 * de-duplicated only against *queued* jobs, so a plan that enqueued a lock job while the
 * previous one for the same code was running created a second job, and two workers could run
 * both at once (the same code added twice, the second answered by -3007). Now enqueueing a
 * running key asks that job for one more run (`rerun_after`) instead.
 */
export const jobReruns: Migration = {
  async up(db: Kysely<any>) {
    const { instant } = columnsFor(db);
    await db.schema.alterTable('jobs').addColumn('rerun_after', instant).execute();

    // Existing duplicates (possible under the old rule) fold into the oldest active job of
    // their key: it runs once more, no earlier than the earliest of them was due; the rest end.
    const duplicates = await db
      .selectFrom('jobs')
      .select(['id', 'dedupe_key', 'status', 'run_after'])
      .where('dedupe_key', 'is not', null)
      .where(sql<boolean>`status in ('queued', 'running')`)
      .orderBy('id')
      .execute();
    const byKey = new Map<string, Array<{ id: unknown; status: string; run_after: unknown }>>();
    for (const row of duplicates) {
      const list = byKey.get(row.dedupe_key) ?? [];
      list.push(row);
      byKey.set(row.dedupe_key, list);
    }
    const now = Date.now();
    for (const [, rows] of byKey) {
      if (rows.length < 2) continue;
      const [kept, ...rest] = rows;
      const due = Math.min(...rows.map((r) => Number(r.run_after)));
      await db
        .updateTable('jobs')
        .set(kept!.status === 'running' ? { rerun_after: due } : { run_after: due })
        .where('id', '=', kept!.id)
        .execute();
      await db
        .updateTable('jobs')
        .set({
          status: 'done',
          lease_owner: null,
          lease_expires_at: null,
          last_error: `merged into job ${String(kept!.id)} (same dedupe key)`,
          updated_at: now,
        })
        .where(
          'id',
          'in',
          rest.map((r) => r.id),
        )
        .execute();
    }

    await db.schema.dropIndex('jobs_queued_dedupe_idx').execute();
    // Also the index enqueueJobs looks keys up by (its WHERE is repeated verbatim there, so
    // SQLite can prove the partial index applies).
    await db.schema
      .createIndex('jobs_active_dedupe_uidx')
      .on('jobs')
      .column('dedupe_key')
      .unique()
      .where(sql<boolean>`status in ('queued', 'running')`)
      .execute();
  },
};
