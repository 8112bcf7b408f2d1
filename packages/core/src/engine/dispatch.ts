import { describeError } from '../errors/errors.js';
import type { Job } from '../ports/store.js';
import { retryDelayMs } from './backoff.js';
import { type EngineContext, JOB_KINDS } from './context.js';
import { type LockJobStart, readLockJobStarts, retriesAfter, runLockJob } from './lock-job.js';
import { type Parking, Permits, parkingFor } from './permits.js';
import { planAndPersist } from './plan-and-persist.js';
import { runSyncBookingsJob, runSyncBookingsJobs, syncUnits } from './sync.js';
import { runWriteBackJob } from './write-back.js';

interface SyncLane {
  busy: boolean;
  waiting: Array<{ job: Job; resolve: (completed: boolean) => void; reject: (error: unknown) => void }>;
}

export interface DispatchOptions {
  /** Keep claiming until no job is due (default true); false runs one claim round. */
  untilIdle?: boolean;
  /** Stop after this many jobs. */
  maxJobs?: number;
  propertyId?: string;
}

export interface DispatchResult {
  processed: number;
  succeeded: number;
  retried: number;
  dead: number;
  byKind: Record<string, number>;
}

const WORK_KINDS = [JOB_KINDS.lock, JOB_KINDS.syncBookings, JOB_KINDS.syncUnits, JOB_KINDS.plan];

export const DEFAULT_WRITE_BACK_MAX_DELAY_MS = 30_000;

/**
 * Jobs one dispatch holds (at work or parked behind a busy lock) per unit of concurrency. A
 * parked lock job costs a few kilobytes and a lease renewal every third of the lease; 256 per
 * permit lets a shared entrance's backlog of thousands wait here while the rooms' doors keep
 * every permit busy.
 */
const MAX_HELD_PER_PERMIT = 256;

/**
 * Runs a job; true when the job already marked itself done (in its own last transaction).
 * A lock job waiting for its lock parks its permit (`parking`).
 */
async function runJob(
  ctx: EngineContext,
  job: Job,
  parking: Parking,
  start: LockJobStart | undefined,
): Promise<boolean> {
  switch (job.kind) {
    case JOB_KINDS.lock:
      return runLockJob(ctx, job, parking, start);
    case JOB_KINDS.writeBack:
      await runWriteBackJob(ctx, job);
      return false;
    case JOB_KINDS.syncBookings:
      await runSyncBookingsJob(ctx, job);
      return false;
    case JOB_KINDS.syncUnits:
      await syncUnits(ctx, job.propertyId);
      return false;
    case JOB_KINDS.plan: {
      const property = await ctx.store.getProperty(job.propertyId);
      if (property?.enabled) await planAndPersist(ctx, job.propertyId);
      return false;
    }
    default:
      throw new Error(`unknown job kind ${job.kind}`);
  }
}

/**
 * Claim due jobs and run them, up to `concurrency` at a time. Lock and sync work goes
 * first; write-back jobs are claimed when no other work is due or running, so each
 * property's PMS gets one batched write for everything the locks just accepted — or, during
 * a long backlog, once they have been due for `writeBackMaxDelayMs`: at real gateway latencies
 * a cold sync runs for minutes or hours, and a guest whose door already has the code must not
 * wait for the whole backlog to learn it from the PMS.
 */
export async function dispatch(ctx: EngineContext, options: DispatchOptions = {}): Promise<DispatchResult> {
  const result: DispatchResult = { processed: 0, succeeded: 0, retried: 0, dead: 0, byKind: {} };
  const maxJobs = options.maxJobs ?? Number.POSITIVE_INFINITY;
  const untilIdle = options.untilIdle ?? true;
  const active = new Set<Promise<void>>();
  let claimedAny = false;
  // Claim in batches: every claim is a write transaction that reads the queue, so refilling
  // one slot per finished job would cost one claim per job. Waiting for an eighth of the
  // slots keeps the pipeline full while claiming ~8× less often; after a claim that found
  // the queue drained, the next one waits for as many slots to come free (jobs finishing, which
  // may enqueue more, or parking behind a busy lock).
  const batch = Math.max(1, Math.ceil(ctx.concurrency / 8));
  let freedSinceShortClaim = Number.POSITIVE_INFINITY;

  // Woken by every finished job and every permit given back. (Awaiting Promise.race(active)
  // instead would attach a handler to every running job on every turn: O(jobs × concurrency)
  // reactions.)
  let wake: (() => void) | undefined;
  const permits = new Permits(ctx.concurrency, () => {
    freedSinceShortClaim++;
    wake?.();
  });
  const parking = parkingFor(permits);
  const start = (job: Job, run: () => Promise<boolean>) => {
    permits.take();
    const p = execute(ctx, job, result, run).finally(() => {
      active.delete(p);
      permits.release();
      wake?.();
    });
    active.add(p);
  };
  // Webhook follow-ups run in one lane per property: the first starts at once, those claimed
  // while it runs are fetched and planned together next. A burst of webhooks thus costs a
  // few PMS calls, and batches grow by themselves when the PMS is slow or rate-limited.
  // Each job still completes or fails (and retries) on its own.
  const lanes = new Map<string, SyncLane>();
  const startAll = async (jobs: Job[]) => {
    const starts = await readLockJobStarts(
      ctx,
      jobs.filter((j) => j.kind === JOB_KINDS.lock),
    ).catch((error: unknown) => {
      // Each job then reads its own rows (and meets the same failure, retried as a job's).
      ctx.logger.warn("could not read the claimed lock jobs' codes together", {
        error: describeError(error),
      });
      return new Map<string, LockJobStart>();
    });
    for (const job of jobs) {
      if (job.kind === JOB_KINDS.syncBookings) start(job, () => joinSyncLane(ctx, lanes, job));
      else start(job, () => runJob(ctx, job, parking, starts.get(job.id)));
    }
  };

  const claim = (limit: number, kinds: string[], dueFor = 0) => {
    const now = ctx.clock.now().getTime();
    // "Due for at least dueFor" is a claim as of that long ago, with the lease lengthened by
    // as much so it still ends leaseMs from now.
    return ctx.store.claimJobs({
      owner: ctx.workerId,
      limit,
      leaseMs: ctx.leaseMs + dueFor,
      now: new Date(now - dueFor),
      kinds,
      ...(options.propertyId ? { propertyId: options.propertyId } : {}),
    });
  };
  // Looking for overdue write-backs costs a claim transaction: a few times per delay at most.
  const overdueEvery = Math.max(1, ctx.writeBackMaxDelayMs / 4);
  let nextOverdueCheck = ctx.clock.now().getTime() + overdueEvery;

  while (result.processed + active.size < maxJobs) {
    if (!untilIdle && claimedAny && active.size === 0) break;
    // Jobs parked behind a busy lock hold no permit, so more can be claimed meanwhile; up to a
    // bound, so a queue of a hundred thousand jobs for one lock is not pulled into memory.
    const free = Math.min(
      permits.free,
      maxJobs - result.processed - active.size,
      ctx.concurrency * MAX_HELD_PER_PERMIT - active.size,
    );
    if (free > 0 && ctx.clock.now().getTime() >= nextOverdueCheck) {
      nextOverdueCheck = ctx.clock.now().getTime() + overdueEvery;
      const overdue = await claim(free, [JOB_KINDS.writeBack], ctx.writeBackMaxDelayMs);
      if (overdue.length) {
        claimedAny = true;
        await startAll(overdue);
        continue;
      }
    }
    const enough = Math.min(batch, maxJobs - result.processed - active.size);
    if (free > 0 && (active.size === 0 || (free >= enough && freedSinceShortClaim >= enough))) {
      let jobs = await claim(free, WORK_KINDS);
      if (jobs.length === 0 && active.size === 0) jobs = await claim(free, [JOB_KINDS.writeBack]);
      freedSinceShortClaim = jobs.length < free ? 0 : Number.POSITIVE_INFINITY;
      if (jobs.length) {
        claimedAny = true;
        await startAll(jobs);
        if (permits.free > 0) continue;
      } else if (active.size === 0) {
        break;
      }
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
  await Promise.all(active);
  const pruned = await ctx.housekeeping.prune();
  if (pruned.jobs + pruned.logs + pruned.bookings > 0) ctx.emit({ type: 'store.pruned', ...pruned });
  return result;
}

/** Resolves when the batch that carried `job` is stored and planned. */
function joinSyncLane(ctx: EngineContext, lanes: Map<string, SyncLane>, job: Job): Promise<boolean> {
  let lane = lanes.get(job.propertyId);
  if (!lane) {
    lane = { busy: false, waiting: [] };
    lanes.set(job.propertyId, lane);
  }
  const joined = new Promise<boolean>((resolve, reject) => lane.waiting.push({ job, resolve, reject }));
  if (!lane.busy) void drainSyncLane(ctx, lane);
  return joined;
}

async function drainSyncLane(ctx: EngineContext, lane: SyncLane): Promise<void> {
  lane.busy = true;
  try {
    while (lane.waiting.length) {
      const batch = lane.waiting.splice(0);
      try {
        await runSyncBookingsJobs(
          ctx,
          batch.map((w) => w.job),
        );
        for (const w of batch) w.resolve(false);
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
  } finally {
    lane.busy = false;
  }
}

async function execute(
  ctx: EngineContext,
  job: Job,
  result: DispatchResult,
  run: () => Promise<boolean>,
): Promise<void> {
  result.byKind[job.kind] = (result.byKind[job.kind] ?? 0) + 1;
  // A lock job keeps its lease itself, while it waits for its lock and calls it. Any other job
  // keeps it for as long as it runs: a window sync of a large property behind the PMS's rate
  // limit, or a write-back waiting out 429s, can outlast the lease, and another worker would
  // then reclaim the job and run it a second time alongside.
  const renewal = job.kind === JOB_KINDS.lock ? undefined : ctx.jobLeases.keep(job.id);
  try {
    let completed: boolean;
    try {
      completed = await run();
    } finally {
      renewal?.stop();
    }
    if (!completed) await ctx.store.completeJob(job.id, ctx.workerId, ctx.clock.now());
    result.succeeded++;
    ctx.emit({ type: 'job.done', jobId: job.id, kind: job.kind, propertyId: job.propertyId });
  } catch (error) {
    const reason = describeError(error);
    const now = ctx.clock.now();
    if (retriesAfter(error, job, ctx.retry.maxAttempts)) {
      const retryAt = new Date(now.getTime() + retryDelayMs(job.attempts, error, ctx.retry, ctx.random));
      await ctx.store.failJob(job.id, ctx.workerId, { error: reason, retryAt }, now);
      ctx.emit({
        type: 'job.retry',
        jobId: job.id,
        kind: job.kind,
        propertyId: job.propertyId,
        error: reason,
        retryAt,
      });
      result.retried++;
    } else {
      await ctx.store.failJob(job.id, ctx.workerId, { error: reason, retryAt: null }, now);
      ctx.emit({
        type: 'job.dead',
        jobId: job.id,
        kind: job.kind,
        propertyId: job.propertyId,
        error: reason,
      });
      ctx.logger.warn('job failed permanently', {
        jobId: job.id,
        kind: job.kind,
        propertyId: job.propertyId,
        error: reason,
      });
      result.dead++;
    }
  } finally {
    result.processed++;
  }
}
