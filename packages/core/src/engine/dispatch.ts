import { describeError } from '../errors/errors.js';
import type { Job } from '../ports/store.js';
import { retryDelayMs } from './backoff.js';
import { type EngineContext, JOB_KINDS } from './context.js';
import { isRetryable, runLockJob } from './lock-job.js';
import { planAndPersist } from './plan-and-persist.js';
import { runSyncBookingsJob, syncUnits } from './sync.js';
import { runWriteBackJob } from './write-back.js';

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

/** Runs a job; true when the job already marked itself done (in its own last transaction). */
async function runJob(ctx: EngineContext, job: Job): Promise<boolean> {
  switch (job.kind) {
    case JOB_KINDS.lock:
      return runLockJob(ctx, job);
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
 * first; write-back jobs are claimed only when no other work is due or running, so each
 * property's PMS gets one batched write for everything the locks just accepted.
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
  // the queue drained, the next one waits for as many jobs to finish (they may enqueue more).
  const batch = Math.max(1, Math.ceil(ctx.concurrency / 8));
  let finishedSinceShortClaim = Number.POSITIVE_INFINITY;

  const start = (job: Job) => {
    const p = execute(ctx, job, result).finally(() => {
      active.delete(p);
      finishedSinceShortClaim++;
    });
    active.add(p);
  };
  const claim = (limit: number, kinds: string[]) =>
    ctx.store.claimJobs({
      owner: ctx.workerId,
      limit,
      leaseMs: ctx.leaseMs,
      now: ctx.clock.now(),
      kinds,
      ...(options.propertyId ? { propertyId: options.propertyId } : {}),
    });

  while (result.processed + active.size < maxJobs) {
    if (!untilIdle && claimedAny && active.size === 0) break;
    const free = Math.min(ctx.concurrency - active.size, maxJobs - result.processed - active.size);
    const enough = Math.min(batch, maxJobs - result.processed - active.size);
    if (free > 0 && (active.size === 0 || (free >= enough && finishedSinceShortClaim >= enough))) {
      let jobs = await claim(free, WORK_KINDS);
      if (jobs.length === 0 && active.size === 0) jobs = await claim(free, [JOB_KINDS.writeBack]);
      finishedSinceShortClaim = jobs.length < free ? 0 : Number.POSITIVE_INFINITY;
      if (jobs.length) {
        claimedAny = true;
        for (const job of jobs) start(job);
        if (active.size < ctx.concurrency) continue;
      } else if (active.size === 0) {
        break;
      }
    }
    await Promise.race(active);
  }
  await Promise.all(active);
  return result;
}

async function execute(ctx: EngineContext, job: Job, result: DispatchResult): Promise<void> {
  result.byKind[job.kind] = (result.byKind[job.kind] ?? 0) + 1;
  try {
    const completed = await runJob(ctx, job);
    if (!completed) await ctx.store.completeJob(job.id, ctx.workerId, ctx.clock.now());
    result.succeeded++;
  } catch (error) {
    const reason = describeError(error);
    const now = ctx.clock.now();
    if (isRetryable(error) && job.attempts < ctx.retry.maxAttempts) {
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
