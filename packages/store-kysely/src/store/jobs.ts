import {
  assertJobPriority,
  type ClaimOptions,
  type Job,
  type JobStatus,
  type NewJob,
  ValidationError,
} from '@brafa/core';
import {
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type QueryCreator,
  type RawBuilder,
  type Selectable,
  sql,
} from 'kysely';
import type { BrafaDatabase, JobsTable } from '../schema/database.js';
import { ms, parseJobId, rowToJob, toId } from './codec.js';
import { chunk, type StoreContext } from './context.js';
import { param, runPrepared } from './prepared.js';
import { runPreparedRows } from './prepared-rows.js';

/** The one queued-or-running job of a dedupe key. */
interface ActiveJob {
  id: string;
  status: 'queued' | 'running';
  runAfter: number;
  rerunAfter: number | null;
  priority: number;
}

/** What the enqueued jobs of one key ask for together. */
interface Wanted {
  runAfter: number;
  priority: number;
  job: NewJob;
}

/**
 * Enqueue in one transaction, keeping at most one queued-or-running job per dedupe key (the
 * partial unique index `jobs_active_dedupe_uidx` enforces it): a key that is queued has its
 * run time pulled to the earlier of the two; a key that is running gets `rerun_after`, so the
 * job runs once more after the current run instead of a second job running beside it. Either
 * way the job keeps the lower (more urgent) priority.
 * On PostgreSQL the active rows are locked first (a claimer, which skips locked rows, cannot
 * take one between our read and our update; a finishing owner waits and then sees the rerun),
 * and a key another transaction inserted since our read is detected by `ON CONFLICT DO
 * NOTHING` and joined instead.
 */
export async function enqueueJobs(ctx: StoreContext, jobs: NewJob[], now: Date): Promise<string[]> {
  if (jobs.length === 0) return [];
  for (const job of jobs) assertJobPriority(job.priority);
  return ctx.atomic(async (db) => {
    // Earliest run time and most urgent priority asked for per key, and the job that creates
    // the key's row if needed.
    const wanted = new Map<string, Wanted>();
    for (const job of jobs) {
      if (!job.dedupeKey) continue;
      const runAfter = ms(job.runAfter ?? now);
      const priority = job.priority ?? 0;
      const seen = wanted.get(job.dedupeKey);
      if (!seen) wanted.set(job.dedupeKey, { runAfter, priority, job });
      else {
        seen.runAfter = Math.min(seen.runAfter, runAfter);
        seen.priority = Math.min(seen.priority, priority);
      }
    }
    const active = await activeByKey(ctx, db, [...wanted.keys()]);

    const rowFor = (key: string) => {
      const { job, runAfter, priority } = wanted.get(key)!;
      return newRow(job, runAfter, priority, now);
    };
    const unkeyed = jobs
      .filter((job) => !job.dedupeKey)
      .map((job) => newRow(job, ms(job.runAfter ?? now), job.priority ?? 0, now));
    let missing = [...wanted.keys()].filter((key) => !active.has(key));
    const inserted = await insertJobs(ctx, db, [...unkeyed, ...missing.map(rowFor)]);
    const created = inserted.byKey;
    // A key whose insert lost to a concurrent transaction: join the job that one created. (It
    // may finish in between, freeing the key again: then insert once more.)
    for (let round = 1; ; round++) {
      missing = missing.filter((key) => !created.has(key) && !active.has(key));
      if (missing.length === 0) break;
      if (round > 10) throw new Error(`could not enqueue jobs for keys ${missing.slice(0, 3).join(', ')}`);
      const found = await activeByKey(ctx, db, missing);
      for (const [key, job] of found) active.set(key, job);
      const retried = await insertJobs(ctx, db, missing.filter((key) => !found.has(key)).map(rowFor));
      for (const [key, id] of retried.byKey) created.set(key, id);
    }

    for (const [key, job] of active) await joinActive(db, job, wanted.get(key)!, now);

    let next = 0;
    return jobs.map((job) => {
      if (!job.dedupeKey) return inserted.unkeyed[next++]!;
      return created.get(job.dedupeKey) ?? active.get(job.dedupeKey)!.id;
    });
  });
}

function newRow(job: NewJob, runAfter: number, priority: number, now: Date): Insertable<JobsTable> {
  return {
    kind: job.kind,
    property_id: job.propertyId,
    payload: JSON.stringify(job.payload),
    status: 'queued',
    run_after: runAfter,
    priority,
    dedupe_key: job.dedupeKey ?? null,
    attempts: 0,
    created_at: ms(now),
    updated_at: ms(now),
  };
}

/**
 * A queued job runs no later than asked; a running one is asked for one more run. Both keep
 * the more urgent priority. One UPDATE at most, and none when nothing changes.
 */
async function joinActive(db: Kysely<BrafaDatabase>, job: ActiveJob, want: Wanted, now: Date) {
  const patch: { run_after?: number; rerun_after?: number; priority?: number } = {};
  if (job.status === 'queued') {
    if (want.runAfter < job.runAfter) patch.run_after = job.runAfter = want.runAfter;
  } else if (job.rerunAfter === null || want.runAfter < job.rerunAfter) {
    patch.rerun_after = job.rerunAfter = want.runAfter;
  }
  if (want.priority < job.priority) patch.priority = job.priority = want.priority;
  if (Object.keys(patch).length === 0) return;
  await db
    .updateTable('jobs')
    .set({ ...patch, updated_at: ms(now) })
    .where('id', '=', Number(job.id))
    .execute();
}

async function activeByKey(
  ctx: StoreContext,
  db: Kysely<BrafaDatabase>,
  keys: string[],
): Promise<Map<string, ActiveJob>> {
  const byKey = new Map<string, ActiveJob>();
  for (const part of chunk(keys, 1, ctx.maxParameters - 1)) {
    // The status condition is spelled exactly as the partial index's WHERE, with literals,
    // not bind parameters: only then can SQLite prove `jobs_active_dedupe_uidx` applies.
    const rows = await db
      .selectFrom('jobs')
      .select(['id', 'dedupe_key', 'status', 'run_after', 'rerun_after', 'priority'])
      .where(sql<boolean>`status in ('queued', 'running')`)
      .where('dedupe_key', 'in', part)
      .$if(ctx.dialect === 'postgres', (q) => q.forUpdate())
      .execute();
    for (const row of rows) {
      if (row.dedupe_key === null) continue;
      byKey.set(row.dedupe_key, {
        id: toId(row.id),
        status: row.status as ActiveJob['status'],
        runAfter: Number(row.run_after),
        rerunAfter: row.rerun_after === null ? null : Number(row.rerun_after),
        priority: Number(row.priority),
      });
    }
  }
  return byKey;
}

/**
 * Multi-row inserts; a keyed row whose key is already active is skipped (`ON CONFLICT DO
 * NOTHING`). Keyed rows come back by key. Unkeyed rows come back in input order: RETURNING
 * does not promise an order, but both databases hand out the ids of one statement ascending
 * in VALUES order, so sorting restores it.
 */
async function insertJobs(
  ctx: StoreContext,
  db: Kysely<BrafaDatabase>,
  rows: Insertable<JobsTable>[],
): Promise<{ unkeyed: string[]; byKey: Map<string, string> }> {
  const unkeyed: string[] = [];
  const byKey = new Map<string, string>();
  if (rows.length === 0) return { unkeyed, byKey };
  const returned = await runPreparedRows(ctx, db, 'jobs:insert', rows, (d, part) =>
    d
      .insertInto('jobs')
      .values(part)
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'dedupe_key']),
  );
  // Later statements hand out larger ids too, so one sort covers them all.
  const sorted = returned.map((r) => ({ id: Number(r.id), key: r.dedupe_key })).sort((a, b) => a.id - b.id);
  for (const r of sorted) {
    if (r.key === null) unkeyed.push(String(r.id));
    else byKey.set(r.key, String(r.id));
  }
  return { unkeyed, byKey };
}

const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'dead'];

const STATUS_LITERALS: Readonly<Record<JobStatus, RawBuilder<boolean>>> = {
  queued: sql<boolean>`status = 'queued'`,
  running: sql<boolean>`status = 'running'`,
  done: sql<boolean>`status = 'done'`,
  dead: sql<boolean>`status = 'dead'`,
};

/**
 * `status = '<status>'` with the status as a literal, not a bind parameter: each status has
 * its own partial index (migration 0008), and only a literal lets SQLite prove it applies.
 * Anything but a known status is refused by name (it would otherwise match nothing).
 */
function statusIs(status: JobStatus): RawBuilder<boolean> {
  const condition = Object.hasOwn(STATUS_LITERALS, status) ? STATUS_LITERALS[status] : undefined;
  if (!condition)
    throw new ValidationError(
      'status',
      `unknown job status ${JSON.stringify(status)}: one of ${JOB_STATUSES.join(', ')}`,
    );
  return condition;
}

/** Queued and due, or running with an expired lease. */
function claimable(now: number) {
  return (eb: ExpressionBuilder<BrafaDatabase, 'jobs'>) =>
    eb.or([
      eb.and([statusIs('queued'), eb('run_after', '<=', now)]),
      eb.and([statusIs('running'), eb('lease_expires_at', '<=', now)]),
    ]);
}

/**
 * PostgreSQL: one statement. A materialised CTE picks the rows with `FOR UPDATE SKIP LOCKED`
 * (concurrent workers skip each other's rows instead of waiting or double-claiming; a row
 * another worker claimed meanwhile is re-checked and dropped), then the UPDATE takes them.
 * SQLite: one write transaction (the database's single write lock is the serialisation
 * SKIP LOCKED provides elsewhere) that picks due rows and expired leases with two index
 * range scans and updates them by id.
 */
export async function claimJobs(ctx: StoreContext, options: ClaimOptions): Promise<Job[]> {
  const { owner, limit, leaseMs, kinds, propertyId } = options;
  if (limit <= 0 || (kinds && kinds.length === 0)) return [];
  const now = ms(options.now);
  const lease = {
    status: 'running',
    lease_owner: owner,
    lease_expires_at: now + leaseMs,
    updated_at: now,
  } as const;

  let rows: Selectable<JobsTable>[];
  if (ctx.dialect === 'postgres') {
    const pick = (db: QueryCreator<BrafaDatabase>) =>
      db
        .selectFrom('jobs')
        .select('id')
        .where(claimable(now))
        .$if(kinds !== undefined, (q) => q.where('kind', 'in', kinds!))
        .$if(propertyId !== undefined, (q) => q.where('property_id', '=', propertyId!))
        .orderBy('priority')
        .orderBy('run_after')
        .orderBy('id')
        .limit(limit);
    rows = await ctx.db
      .with(
        (cte) => cte('due').materialized(),
        (db) => pick(db).forUpdate().skipLocked(),
      )
      .updateTable('jobs')
      .from('due')
      .set((eb) => ({ ...lease, attempts: eb('jobs.attempts', '+', 1) }))
      .whereRef('jobs.id', '=', 'due.id')
      .returningAll('jobs')
      .execute();
  } else {
    rows = await ctx.atomic(async (db) => {
      const ids = await pickSqlite(db, now, limit, kinds, propertyId);
      if (ids.length === 0) return [];
      return db
        .updateTable('jobs')
        .set((eb) => ({ ...lease, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', ids)
        .returningAll()
        .execute();
    });
  }
  return rows.map(rowToJob).sort(claimOrder);
}

/** The order jobs are claimed in: priority, then run time, then age. */
function claimOrder(
  a: { priority: number; runAfter: number | Date; id: number | string },
  b: { priority: number; runAfter: number | Date; id: number | string },
): number {
  return a.priority - b.priority || Number(a.runAfter) - Number(b.runAfter) || Number(a.id) - Number(b.id);
}

/**
 * The first `limit` claimable ids by (priority, run_after, id). One `OR` over both conditions
 * made SQLite read and sort every queued row on each claim (quadratic over a large backlog);
 * two queries walk `jobs_queued_idx` (priority, run_after, id) in order and `jobs_running_idx`
 * (lease_expires_at), and stop after `limit` rows.
 */
async function pickSqlite(
  db: Kysely<BrafaDatabase>,
  now: number,
  limit: number,
  kinds: string[] | undefined,
  propertyId: string | undefined,
): Promise<number[]> {
  const base = () =>
    db
      .selectFrom('jobs')
      .select(['id', 'run_after', 'priority'])
      .$if(kinds !== undefined, (q) => q.where('kind', 'in', kinds!))
      // The unary `+` keeps SQLite off `jobs_property_idx`: it would read every job the
      // property ever had (done ones included) and sort them, where the status index is
      // read in claim order and stops after `limit` rows.
      .$if(propertyId !== undefined, (q) => q.where(sql<boolean>`+property_id = ${propertyId!}`));
  const due = await base()
    .where(statusIs('queued'))
    .where('run_after', '<=', now)
    .orderBy('priority')
    .orderBy('run_after')
    .orderBy('id')
    .limit(limit)
    .execute();
  const expired = await base()
    .where(statusIs('running'))
    .where('lease_expires_at', '<=', now)
    .orderBy('priority')
    .orderBy('run_after')
    .orderBy('id')
    .limit(limit)
    .execute();
  return [...due, ...expired]
    .map((r) => ({ id: Number(r.id), runAfter: Number(r.run_after), priority: Number(r.priority) }))
    .sort(claimOrder)
    .slice(0, limit)
    .map((r) => r.id);
}

/** Only the current lease owner may finish a job; a reclaimed job answers false to the old one. */
export async function completeJob(ctx: StoreContext, id: string, owner: string, now: Date): Promise<boolean> {
  const jobId = parseJobId(id);
  if (jobId === undefined) return false;
  // A rerun asked for meanwhile turns "done" into "queued again, fresh attempts" (every SET
  // expression reads the row as it was before this UPDATE).
  const result = await runPrepared(
    ctx,
    'completeJob',
    (db) =>
      db
        .updateTable('jobs')
        .set({
          status: sql<string>`case when rerun_after is null then 'done' else 'queued' end`,
          run_after: sql<number>`coalesce(rerun_after, run_after)`,
          attempts: sql<number>`case when rerun_after is null then attempts else 0 end`,
          rerun_after: null,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: param('now'),
        })
        .where('id', '=', param<string>('id'))
        .where('status', '=', 'running')
        .where('lease_owner', '=', param<string>('owner')),
    { id: jobId, owner, now: ms(now) },
  );
  return (result.numAffectedRows ?? 0n) > 0n;
}

/** Only the current lease owner may extend it; a reclaimed job answers false to the old one. */
export async function renewJobLease(
  ctx: StoreContext,
  id: string,
  owner: string,
  until: Date,
): Promise<boolean> {
  const jobId = parseJobId(id);
  if (jobId === undefined) return false;
  const result = await ctx.db
    .updateTable('jobs')
    .set({ lease_expires_at: ms(until) })
    .where('id', '=', jobId)
    .where('status', '=', 'running')
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function failJob(
  ctx: StoreContext,
  id: string,
  owner: string,
  failure: { error: string; retryAt: Date | null },
  now: Date,
): Promise<boolean> {
  const jobId = parseJobId(id);
  if (jobId === undefined) return false;
  const result = await ctx.db
    .updateTable('jobs')
    .set({
      // A retry serves a pending rerun too; a final failure with a rerun pending is queued
      // again for it (new work, fresh attempts).
      ...(failure.retryAt
        ? { status: 'queued', run_after: ms(failure.retryAt) }
        : {
            status: sql<string>`case when rerun_after is null then 'dead' else 'queued' end`,
            run_after: sql<number>`coalesce(rerun_after, run_after)`,
            attempts: sql<number>`case when rerun_after is null then attempts else 0 end`,
          }),
      rerun_after: null,
      last_error: failure.error,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: ms(now),
    })
    .where('id', '=', jobId)
    .where('status', '=', 'running')
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function getJob(ctx: StoreContext, id: string): Promise<Job | undefined> {
  const jobId = parseJobId(id);
  if (jobId === undefined) return undefined;
  const row = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  return row && rowToJob(row);
}

export async function listJobs(
  ctx: StoreContext,
  options: { status?: JobStatus; propertyId?: string; limit?: number } = {},
): Promise<Job[]> {
  const { status, propertyId, limit } = options;
  const rows = await ctx.db
    .selectFrom('jobs')
    .selectAll()
    .$if(status !== undefined, (q) => q.where(statusIs(status!)))
    .$if(propertyId !== undefined, (q) => q.where('property_id', '=', propertyId!))
    .orderBy('id')
    .$if(limit !== undefined, (q) => q.limit(limit!))
    .execute();
  return rows.map(rowToJob);
}

export async function countJobs(
  ctx: StoreContext,
  options: { propertyId?: string } = {},
): Promise<Record<JobStatus, number>> {
  const { propertyId } = options;
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, dead: 0 };
  if (propertyId === undefined) {
    // All of them (`/health`, `brafa run`): one count per status, each read from its own
    // partial index alone, not from the table; in one statement, so the four agree (a job
    // moving from queued to running between two queries would be counted twice or not at all).
    const row = await ctx.db
      .selectNoFrom((eb) =>
        JOB_STATUSES.map((status) =>
          eb.selectFrom('jobs').select(eb.fn.countAll().as('n')).where(statusIs(status)).as(status),
        ),
      )
      .executeTakeFirstOrThrow();
    for (const status of JOB_STATUSES) counts[status] = Number((row as Record<string, unknown>)[status]);
    return counts;
  }
  const rows = await ctx.db
    .selectFrom('jobs')
    .select((eb) => ['status', eb.fn.countAll().as('n')])
    .where('property_id', '=', propertyId)
    .groupBy('status')
    .execute();
  for (const row of rows) counts[row.status as JobStatus] = Number(row.n);
  return counts;
}

export async function pruneJobs(
  ctx: StoreContext,
  options: { finishedBefore: Date; limit: number },
): Promise<number> {
  const limit = Math.floor(options.limit);
  if (!(limit > 0)) return 0;
  // `jobs_done_idx` holds the done jobs in id order: the oldest are read first, without a
  // sort, and the read stops after `limit`.
  const result = await ctx.db
    .deleteFrom('jobs')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where(statusIs('done'))
        .where('updated_at', '<', ms(options.finishedBefore))
        .orderBy('id')
        .limit(limit)
        // Workers pruning at once on PostgreSQL take disjoint rows instead of waiting for (or
        // deadlocking on) each other's.
        .$if(ctx.dialect === 'postgres', (q) => q.forUpdate().skipLocked()),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
