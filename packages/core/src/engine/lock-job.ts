import type { AccessCode } from '../domain/schemas.js';
import {
  AuthError,
  CapacityError,
  DuplicateCodeError,
  describeError,
  PermanentError,
  ValidationError,
} from '../errors/errors.js';
import type { LockCode } from '../ports/lock.js';
import type { Job } from '../ports/store.js';
import { sameWindow } from '../time/access-window.js';
import { type EngineContext, JOB_KINDS, lockJob, writeBackJobKey } from './context.js';
import type { Parking } from './permits.js';
import { planAndPersist } from './plan-and-persist.js';

/** The tag we put on every code, so a code whose add response was lost can be recognised. */
export function codeName(code: Pick<AccessCode, 'bookingId'>): string {
  return `brafa:${code.bookingId}`.slice(0, 64);
}

/**
 * A lock found full is tried this many times in all before its code fails: once more after
 * the backoff, because the code making room for it (a removal the plan queued first) may still
 * be on its way off in another job or worker. A lock that stays full costs no further calls
 * until the planner's retry of failed codes.
 */
const CAPACITY_TRIES = 2;

/** Whether an error is worth retrying (anything not known to be final). */
export function isRetryable(error: unknown): boolean {
  return !(
    error instanceof PermanentError ||
    error instanceof AuthError ||
    error instanceof ValidationError ||
    error instanceof DuplicateCodeError
  );
}

/** Whether this job, after this error, goes back to the queue (false: it fails for good). */
export function retriesAfter(error: unknown, job: Job, maxAttempts: number): boolean {
  if (error instanceof CapacityError) return job.attempts < Math.min(CAPACITY_TRIES, maxAttempts);
  return isRetryable(error) && job.attempts < maxAttempts;
}

function isOurs(found: LockCode, code: AccessCode): boolean {
  if (found.name === codeName(code)) return true;
  return (
    found.validFrom !== null &&
    found.validTo !== null &&
    sameWindow({ validFrom: found.validFrom, validTo: found.validTo }, code)
  );
}

/** Whether a code row still has lock work to do (not gone, not settled). */
function needsLock(code: AccessCode | undefined): code is AccessCode {
  return code !== undefined && code.state !== 'active' && code.state !== 'revoked' && code.state !== 'failed';
}

/**
 * Runs `work` in this engine's lane for the lock (one operation at a time, the most urgent
 * next; `waited` tells whether it had to wait, i.e. its data may be stale). `work` takes the
 * lock's store lease (`ctx.lockLeases?.hold`) before it calls the lock; the lease is kept
 * while this engine has more work queued for the lock (each operation renews it) and given
 * back when the lane is empty. With `parking`, a job waiting for the lane gives its concurrency
 * permit back meanwhile (see `Permits`).
 */
export function withLock<T>(
  ctx: EngineContext,
  lockId: string,
  priority: number,
  work: (waited: boolean) => Promise<T>,
  parking?: Parking,
): Promise<T> {
  return ctx.lockLanes.run(
    lockId,
    priority,
    async (waited) => {
      try {
        return await work(waited);
      } finally {
        if (ctx.lockLeases && ctx.lockLanes.waitingFor(lockId) === 0) {
          // The operation's outcome still gets recorded; an unreleased hold lapses by itself.
          await ctx.lockLeases.release(lockId).catch((error: unknown) =>
            ctx.logger.warn('could not release the hold on a lock; it lapses by itself', {
              lockId,
              error: describeError(error),
            }),
          );
        }
      }
    },
    parking,
  );
}

/** A lock job's call: what the lock did, or how it failed (for the code row it acted on). */
type Step =
  | { kind: 'called'; code: AccessCode; outcome: Outcome }
  | { kind: 'failed'; code: AccessCode; error: unknown };

type Outcome =
  | {
      kind: 'done';
      lockCodeId: string | null;
      lockPasscode: string | null;
      op: 'add' | 'change' | 'remove' | 'adopt';
    }
  | { kind: 'replanned' };

const codeIdOf = (job: Job) => String(job.payload.codeId ?? '');

/** What a lock job starts from: its code row, and whether the code's property is enabled. */
export interface LockJobStart {
  code: AccessCode | undefined;
  /** `undefined`: the property is not in the store (the job then goes ahead, as it always has). */
  propertyEnabled: boolean | undefined;
}

/**
 * The rows a batch of just-claimed lock jobs start from, read together: one query for the
 * codes and one per property, instead of two per job (measured: ~0.1 s of a 2,000-code
 * time-to-door run's ~1.2 s). As fresh as each job's own reads at its start were, which also
 * came right after the claim; a job that then waits for its lock reads its row again anyway.
 */
export async function readLockJobStarts(ctx: EngineContext, jobs: Job[]): Promise<Map<string, LockJobStart>> {
  const starts = new Map<string, LockJobStart>();
  if (jobs.length === 0) return starts;
  const codes = new Map(
    (await ctx.store.listAccessCodes({ ids: jobs.map(codeIdOf), includeRevoked: true })).map((c) => [
      c.id,
      c,
    ]),
  );
  const enabled = new Map<string, boolean | undefined>();
  for (const code of codes.values()) {
    if (!enabled.has(code.propertyId))
      enabled.set(code.propertyId, (await ctx.store.getProperty(code.propertyId))?.enabled);
  }
  for (const job of jobs) {
    const code = codes.get(codeIdOf(job));
    starts.set(job.id, { code, propertyEnabled: code && enabled.get(code.propertyId) });
  }
  return starts;
}

/**
 * Brings one code row to its target on the lock. The job carries only the code id: it always
 * acts on the row's *current* target, so a re-planned code is never pushed with stale data,
 * and running it twice is harmless. Returns true when it marked the job done itself (in the
 * same transaction as the code's new state). `parking`: what to do with the job's concurrency
 * permit while it waits for the lock. `start`: its rows, read with its batch's (see
 * `readLockJobStarts`); without it the job reads them itself.
 */
export async function runLockJob(
  ctx: EngineContext,
  job: Job,
  parking?: Parking,
  start?: LockJobStart,
): Promise<boolean> {
  const codeId = codeIdOf(job);
  const first = start ? start.code : await ctx.store.getAccessCode(codeId);
  if (!needsLock(first)) return false;
  const enabled = start ? start.propertyEnabled : (await ctx.store.getProperty(first.propertyId))?.enabled;
  if (enabled === false) return false;

  // The lock call waits for the lock's lane (one operation at a time, the most urgent next).
  // A job that waited reads its row again: the plan may have moved or settled it meanwhile.
  // Behind many operations on one lock (an entrance, a gateway timing out at 35 s each) the
  // wait can outlast the job's lease: it is renewed meanwhile, so no worker reclaims the job.
  const renewal = ctx.jobLeases.keep(job.id);
  const step = await withLock(
    ctx,
    first.lockId,
    job.priority,
    async (waited): Promise<Step | undefined> => {
      const code = waited ? await ctx.codeReads.get(codeId) : first;
      if (!needsLock(code)) return undefined;
      try {
        // Other workers sharing the store: wait for theirs to finish (see LockLeases), parked.
        await ctx.lockLeases?.hold(code.lockId, parking);
        return {
          kind: 'called',
          code,
          outcome:
            code.state === 'pending_revoke' ? await removeFromLock(ctx, code) : await putOnLock(ctx, code),
        };
      } catch (error) {
        return { kind: 'failed', code, error };
      }
    },
    parking,
  ).finally(() => renewal.stop());
  if (!step) return false;
  const { code } = step;
  if (step.kind === 'failed') {
    const { error } = step;
    const final = !retriesAfter(error, job, ctx.retry.maxAttempts);
    await ctx.store.updateAccessCode(
      code.id,
      {
        attempts: code.attempts + 1,
        lastError: describeError(error),
        // The failure time starts the wait before a failed code gets a fresh retry budget.
        ...(final ? { state: 'failed' as const, updatedAt: ctx.clock.now() } : {}),
      },
      { expectedRevision: code.revision },
    );
    if (final)
      ctx.emit({ type: 'lock.failed', codeId: code.id, lockId: code.lockId, error: describeError(error) });
    throw error;
  }
  const { outcome } = step;
  if (outcome.kind === 'replanned') return false;

  const now = ctx.clock.now();
  const finalState = code.state === 'pending_revoke' ? ('revoked' as const) : ('active' as const);
  // What the lock now holds, the follow-up jobs and the job's completion commit together,
  // in a transaction shared with the other lock operations finishing now (group commit).
  const completed = await ctx.commits.run(async (tx, enqueue) => {
    const applied = await tx.updateAccessCode(
      code.id,
      {
        state: finalState,
        lockCodeId: outcome.lockCodeId,
        lockPasscode: outcome.lockPasscode,
        attempts: code.attempts + 1,
        lastError: null,
        updatedAt: now,
      },
      { expectedRevision: code.revision },
    );
    if (!applied) {
      // The target moved while we talked to the lock: record what the lock now holds and go again.
      await tx.updateAccessCode(code.id, {
        lockCodeId: outcome.lockCodeId,
        lockPasscode: outcome.lockPasscode,
      });
      enqueue(lockJob(code, now));
    }
    // The PMS learns about it only now that the lock accepted it (or let it go).
    enqueue({
      kind: JOB_KINDS.writeBack,
      propertyId: code.propertyId,
      payload: {},
      dedupeKey: writeBackJobKey(code.propertyId),
    });
    return tx.completeJob(job.id, ctx.workerId, now);
  });
  ctx.emit({ type: 'lock.done', op: outcome.op, codeId: code.id, lockId: code.lockId });
  return completed;
}

async function putOnLock(ctx: EngineContext, code: AccessCode): Promise<Outcome> {
  const window = { validFrom: code.validFrom, validTo: code.validTo };
  if (code.lockCodeId) {
    ctx.emit({ type: 'lock.call', op: 'change', codeId: code.id, lockId: code.lockId });
    const digitsChange = code.lockPasscode !== code.passcode;
    const changed = await ctx.lock.changeCode({
      lockId: code.lockId,
      lockCodeId: code.lockCodeId,
      ...window,
      ...(digitsChange ? { passcode: code.passcode } : {}),
    });
    // A lock that had to delete and re-add reports the code's new id.
    const lockCodeId = changed?.lockCodeId ?? code.lockCodeId;
    return { kind: 'done', lockCodeId, lockPasscode: code.passcode, op: 'change' };
  }
  try {
    ctx.emit({ type: 'lock.call', op: 'add', codeId: code.id, lockId: code.lockId });
    const { lockCodeId } = await ctx.lock.addCode({
      lockId: code.lockId,
      passcode: code.passcode,
      name: codeName(code),
      ...window,
    });
    return { kind: 'done', lockCodeId, lockPasscode: code.passcode, op: 'add' };
  } catch (error) {
    if (!(error instanceof DuplicateCodeError)) throw error;
    return resolveDuplicate(ctx, code);
  }
}

/**
 * The lock already holds these digits. If that code is ours (our tag, or exactly our window)
 * — typically an add whose response was lost — adopt it. Otherwise the digits belong to
 * someone else: move the booking to its next passcode and re-plan; never widen another
 * guest's code.
 */
async function resolveDuplicate(ctx: EngineContext, code: AccessCode): Promise<Outcome> {
  ctx.emit({ type: 'lock.call', op: 'find', codeId: code.id, lockId: code.lockId });
  const found = await ctx.lock.findCode({ lockId: code.lockId, passcode: code.passcode });
  if (found && isOurs(found, code)) {
    const window = { validFrom: code.validFrom, validTo: code.validTo };
    const sameTarget =
      found.validFrom &&
      found.validTo &&
      sameWindow({ validFrom: found.validFrom, validTo: found.validTo }, window);
    if (!sameTarget) {
      ctx.emit({ type: 'lock.call', op: 'change', codeId: code.id, lockId: code.lockId });
      const changed = await ctx.lock.changeCode({
        lockId: code.lockId,
        lockCodeId: found.lockCodeId,
        ...window,
      });
      return {
        kind: 'done',
        lockCodeId: changed?.lockCodeId ?? found.lockCodeId,
        lockPasscode: code.passcode,
        op: 'adopt',
      };
    }
    return { kind: 'done', lockCodeId: found.lockCodeId, lockPasscode: code.passcode, op: 'adopt' };
  }
  ctx.emit({ type: 'lock.duplicate', codeId: code.id, lockId: code.lockId, bookingId: code.bookingId });
  const booking = await ctx.store.getBooking(code.propertyId, code.bookingId);
  const next = Math.max(booking?.passcodeAttempt ?? 0, code.attempt + 1);
  await ctx.store.updateBookingState(
    code.propertyId,
    code.bookingId,
    { passcodeAttempt: next },
    ctx.clock.now(),
  );
  await planAndPersist(ctx, code.propertyId);
  return { kind: 'replanned' };
}

async function removeFromLock(ctx: EngineContext, code: AccessCode): Promise<Outcome> {
  let lockCodeId = code.lockCodeId;
  if (!lockCodeId) {
    // We do not know the lock's id for it, yet an add may have reached the lock: its reply was
    // lost, or the process died before recording even the attempt (so `attempts` cannot tell).
    // A read is cheap; leaving a live code on a door is not.
    ctx.emit({ type: 'lock.call', op: 'find', codeId: code.id, lockId: code.lockId });
    const found = await ctx.lock.findCode({ lockId: code.lockId, passcode: code.passcode });
    if (found && isOurs(found, code)) lockCodeId = found.lockCodeId;
  }
  if (lockCodeId) {
    ctx.emit({ type: 'lock.call', op: 'remove', codeId: code.id, lockId: code.lockId });
    await ctx.lock.removeCode({ lockId: code.lockId, lockCodeId });
  }
  return { kind: 'done', lockCodeId: null, lockPasscode: null, op: 'remove' };
}
