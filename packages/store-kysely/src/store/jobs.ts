import type { ClaimOptions, Job, JobStatus, NewJob } from '@brafa/core';
import {
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type QueryCreator,
  type Selectable,
  sql,
} from 'kysely';
import type { BrafaDatabase, JobsTable } from '../schema/database.js';
import { ms, parseJobId, rowToJob, toId } from './codec.js';
import { chunk, type StoreContext } from './context.js';

interface KeyedJob {
  /** Id of a job already in the table, or undefined while it waits for its insert. */
  id?: string;
  runAfter: number;
  /** Index into the pending inserts when the job is new in this batch. */
  pending?: number;
  /** The existing row's run time must be moved earlier. */
  moved?: boolean;
}

/**
 * Enqueue in one transaction. A job with a `dedupeKey` joins the oldest *queued* job with that
 * key (earlier or in this batch) and pulls its run time to the earlier of the two. On
 * PostgreSQL the matching queued rows are locked first: a claimer (which skips locked rows)
 * cannot take one between our read and our update, so a job we answer with is still queued.
 */
export async function enqueueJobs(ctx: StoreContext, jobs: NewJob[], now: Date): Promise<string[]> {
  if (jobs.length === 0) return [];
  return ctx.atomic(async (db) => {
    const byKey = await queuedByKey(ctx, db, jobs);
    const inserts: Insertable<JobsTable>[] = [];
    const slots: (string | number)[] = []; // per input: an existing id, or the pending insert index
    for (const job of jobs) {
      const runAfter = ms(job.runAfter ?? now);
      const hit = job.dedupeKey ? byKey.get(job.dedupeKey) : undefined;
      if (hit) {
        if (runAfter < hit.runAfter) {
          hit.runAfter = runAfter;
          if (hit.pending !== undefined) inserts[hit.pending]!.run_after = runAfter;
          else hit.moved = true;
        }
        slots.push(hit.id ?? hit.pending!);
        continue;
      }
      const pending = inserts.length;
      inserts.push({
        kind: job.kind,
        property_id: job.propertyId,
        payload: JSON.stringify(job.payload),
        status: 'queued',
        run_after: runAfter,
        dedupe_key: job.dedupeKey ?? null,
        attempts: 0,
        created_at: ms(now),
        updated_at: ms(now),
      });
      if (job.dedupeKey) byKey.set(job.dedupeKey, { runAfter, pending });
      slots.push(pending);
    }

    for (const hit of byKey.values()) {
      if (!hit.moved || hit.id === undefined) continue;
      await db
        .updateTable('jobs')
        .set({ run_after: hit.runAfter, updated_at: ms(now) })
        .where('id', '=', Number(hit.id))
        .execute();
    }

    const insertedIds = await insertJobs(ctx, db, inserts);
    return slots.map((slot) => (typeof slot === 'string' ? slot : insertedIds[slot]!));
  });
}

async function queuedByKey(
  ctx: StoreContext,
  db: Kysely<BrafaDatabase>,
  jobs: NewJob[],
): Promise<Map<string, KeyedJob>> {
  const keys = [...new Set(jobs.flatMap((j) => (j.dedupeKey ? [j.dedupeKey] : [])))];
  const byKey = new Map<string, KeyedJob>();
  for (const part of chunk(keys, 1, ctx.maxParameters - 1)) {
    // 'queued' as a literal, not a bind parameter: only then can SQLite prove the partial
    // index `jobs_queued_dedupe_idx` (WHERE status = 'queued') applies, instead of walking
    // every queued row for each key.
    const rows = await db
      .selectFrom('jobs')
      .select(['id', 'dedupe_key', 'run_after'])
      .where('status', '=', sql.lit('queued'))
      .where('dedupe_key', 'in', part)
      .orderBy('id')
      .$if(ctx.dialect === 'postgres', (q) => q.forUpdate())
      .execute();
    for (const row of rows) {
      if (row.dedupe_key === null || byKey.has(row.dedupe_key)) continue;
      byKey.set(row.dedupe_key, { id: toId(row.id), runAfter: Number(row.run_after) });
    }
  }
  return byKey;
}

/**
 * Multi-row inserts, ids returned in input order. RETURNING does not promise an order, but
 * both databases hand out ids of one statement ascending in VALUES order (a sequence /
 * rowid per row, in order), so sorting the returned ids restores the input order.
 */
async function insertJobs(
  ctx: StoreContext,
  db: Kysely<BrafaDatabase>,
  rows: Insertable<JobsTable>[],
): Promise<string[]> {
  const ids: string[] = [];
  if (rows.length === 0) return ids;
  for (const part of chunk(rows, Object.keys(rows[0]!).length, ctx.maxParameters)) {
    const returned = await db.insertInto('jobs').values(part).returning('id').execute();
    const sorted = returned.map((r) => Number(r.id)).sort((a, b) => a - b);
    ids.push(...sorted.map(String));
  }
  return ids;
}

/** Queued and due, or running with an expired lease. */
function claimable(now: number) {
  return (eb: ExpressionBuilder<BrafaDatabase, 'jobs'>) =>
    eb.or([
      eb.and([eb('status', '=', 'queued'), eb('run_after', '<=', now)]),
      eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<=', now)]),
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
  return rows
    .map(rowToJob)
    .sort((a, b) => a.runAfter.getTime() - b.runAfter.getTime() || Number(a.id) - Number(b.id));
}

/**
 * The first `limit` claimable ids by (run_after, id). One `OR` over both conditions made
 * SQLite read and sort every queued row on each claim (quadratic over a large backlog);
 * two queries walk `jobs_due_idx` (status, run_after, id) in order and `jobs_lease_idx`
 * (status, lease_expires_at), and stop after `limit` rows.
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
      .select(['id', 'run_after'])
      .$if(kinds !== undefined, (q) => q.where('kind', 'in', kinds!))
      .$if(propertyId !== undefined, (q) => q.where('property_id', '=', propertyId!));
  const due = await base()
    .where('status', '=', 'queued')
    .where('run_after', '<=', now)
    .orderBy('run_after')
    .orderBy('id')
    .limit(limit)
    .execute();
  const expired = await base()
    .where('status', '=', 'running')
    .where('lease_expires_at', '<=', now)
    .orderBy('run_after')
    .orderBy('id')
    .limit(limit)
    .execute();
  return [...due, ...expired]
    .map((r) => ({ id: Number(r.id), runAfter: Number(r.run_after) }))
    .sort((a, b) => a.runAfter - b.runAfter || a.id - b.id)
    .slice(0, limit)
    .map((r) => r.id);
}

/** Only the current lease owner may finish a job; a reclaimed job answers false to the old one. */
export async function completeJob(ctx: StoreContext, id: string, owner: string, now: Date): Promise<boolean> {
  const jobId = parseJobId(id);
  if (jobId === undefined) return false;
  const result = await ctx.db
    .updateTable('jobs')
    .set({ status: 'done', lease_owner: null, lease_expires_at: null, updated_at: ms(now) })
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
      status: failure.retryAt ? 'queued' : 'dead',
      ...(failure.retryAt ? { run_after: ms(failure.retryAt) } : {}),
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
    .$if(status !== undefined, (q) => q.where('status', '=', status!))
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
  const rows = await ctx.db
    .selectFrom('jobs')
    .select((eb) => ['status', eb.fn.countAll().as('n')])
    .$if(propertyId !== undefined, (q) => q.where('property_id', '=', propertyId!))
    .groupBy('status')
    .execute();
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, dead: 0 };
  for (const row of rows) counts[row.status as JobStatus] = Number(row.n);
  return counts;
}
