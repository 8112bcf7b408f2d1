import { randomUUID } from 'node:crypto';
import type { AccessCode, AccessCodeState, BookingRecord, Property } from '../domain/schemas.js';
import { ValidationError } from '../errors/errors.js';
import { Redactor } from '../logging/redact.js';
import { validatePolicy } from '../passcode/policy.js';
import { DEFAULT_FAILED_RETRY_MS } from '../planner/plan.js';
import type { Plan } from '../planner/types.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { LockProvider } from '../ports/lock.js';
import { createLogger, type Logger, silentLogger } from '../ports/logger.js';
import type { Interval, PmsProvider } from '../ports/pms.js';
import type { Job, JobStatus, Store } from '../ports/store.js';
import { type AuditOptions, type AuditReport, auditProperty } from './audit.js';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
import { CodeReads } from './code-reads.js';
import { type EngineContext, JOB_KINDS } from './context.js';
import {
  DEFAULT_WRITE_BACK_MAX_DELAY_MS,
  type DispatchOptions,
  type DispatchResult,
  dispatch,
} from './dispatch.js';
import type { EngineEventHandler } from './events.js';
import { GroupCommit } from './group-commit.js';
import {
  DEFAULT_DONE_JOB_RETENTION_MS,
  DEFAULT_ENDED_BOOKING_RETENTION_MS,
  DEFAULT_LOG_RETENTION_MS,
  Housekeeping,
} from './housekeeping.js';
import { JobLeaseKeeper } from './job-lease-keeper.js';
import { LockLanes } from './lock-lanes.js';
import { LockLeases } from './lock-leases.js';
import { planAndPersist, planOnly, requireProperty } from './plan-and-persist.js';
import { fetchAll, type SyncResult, syncProperty, syncUnits } from './sync.js';
import { desiredWriteBack } from './write-back.js';

export interface EngineOptions {
  store: Store;
  lock: LockProvider;
  /** The PMS provider of a property (one instance per property is fine). */
  providers: (property: Property) => PmsProvider | undefined;
  passcode: { secret: string; length?: number };
  clock?: Clock;
  logger?: Logger;
  onEvent?: EngineEventHandler;
  /** Lease owner name of this process (default: a random id). */
  workerId?: string;
  retry?: Partial<RetryPolicy>;
  /** Jobs run at once (lock calls on one lock are serialised by the lock adapter). Default 16. */
  concurrency?: number;
  /** How long an ended code stays on the lock (default 24 h). */
  graceMs?: number;
  /** Wait before a code failed by retryable errors gets a fresh retry budget (default 30 min). */
  failedRetryMs?: number;
  /** Job lease; a worker that dies mid-job loses its jobs after this long. Default 5 min. */
  leaseMs?: number;
  /**
   * Write-backs wait until no lock work is queued, so the PMS gets one batched write for a
   * burst; during a long backlog one that has waited this long runs anyway, so codes already
   * on their doors reach the PMS (and the guest). Default 30 s.
   */
  writeBackMaxDelayMs?: number;
  /**
   * Hold a store lease per lock around each lock operation, so that workers in other processes
   * sharing the store never operate on one lock at the same time (a gateway lock's cloud fails
   * the second as busy). Costs a store write per operation. Default: the store's `sharedByWorkers` (true on
   * PostgreSQL, false on SQLite and in memory, where one process does the work); turn it on if
   * other processes dispatch from the same SQLite file.
   */
  lockLeases?: boolean;
  /**
   * How long a done job stays in the store (default 7 days); older ones are deleted after a
   * dispatch, at most every ten minutes. `Infinity` keeps them forever. Dead jobs are kept.
   */
  doneJobRetentionMs?: number;
  /**
   * How long webhook, write-back and quarantine log rows stay (default 30 days); older ones
   * are deleted with the done jobs. `Infinity` keeps them forever.
   */
  logRetentionMs?: number;
  /**
   * How long a booking stays after its departure (default 30 days): then it is deleted with its
   * codes, once every one of them is revoked (a code still on a lock, on its way off or failed
   * keeps it). Keep it longer than the sync window reaches back, or ended stays are fetched and
   * stored again. `Infinity` keeps them forever.
   */
  endedBookingRetentionMs?: number;
  /** Jitter source (tests pass a seeded one). */
  random?: () => number;
}

export interface PropertyStatus {
  propertyId: string;
  enabled: boolean;
  bookings: number;
  codes: Record<AccessCodeState, number>;
  failures: Array<{ bookingId: string; lockId: string; reason: string }>;
  bookingIssues: Array<{ bookingId: string; issue: string }>;
  writeBackErrors: Array<{ bookingId: string; error: string }>;
  /**
   * Bookings whose PMS view is behind their locks and whose write-back is queued (retrying, or
   * waiting for another worker's write-back of the property), with the queue's last error.
   */
  writeBackPending: Array<{ bookingId: string; action: 'upsert' | 'delete'; reason: string }>;
  jobs: Record<JobStatus, number>;
  deadJobs: Array<{ id: string; kind: string; error: string | null }>;
}

export interface RunResult {
  syncs: SyncResult[];
  dispatch: DispatchResult;
  /** Sync failures by property (other properties still ran). */
  errors: Array<{ propertyId: string; error: string }>;
}

export interface Engine {
  readonly context: EngineContext;
  syncProperty(propertyId: string, options?: { window?: Interval }): Promise<SyncResult>;
  syncUnits(propertyId: string): Promise<number>;
  /**
   * Dry run: what would change, nothing written. With `fetch`, bookings are first read from
   * the PMS (read-only) so the plan shows what a sync would do.
   */
  plan(propertyId: string, options?: { fetch?: boolean; window?: Interval }): Promise<Plan>;
  /** Plan and enqueue lock jobs from what the store holds now. */
  replan(propertyId: string): Promise<Plan>;
  dispatch(options?: DispatchOptions): Promise<DispatchResult>;
  /** Sync every enabled property (or one), then dispatch until no due work is left. */
  run(options?: { propertyId?: string; window?: Interval }): Promise<RunResult>;
  /** New digits for a booking, even after check-in (a disclosed or bad code). */
  reissue(propertyId: string, bookingId: string): Promise<Plan>;
  status(propertyId: string): Promise<PropertyStatus>;
  /** Compare the locks' real codes with the store; with `fix`, make them converge. */
  audit(propertyId: string, options?: AuditOptions): Promise<AuditReport>;
}

const DAY_MS = 86_400_000;

function retentionOf(field: string, given: number | undefined, fallback: number): number {
  const ms = given ?? fallback;
  if (!(ms >= 0)) throw new ValidationError(field, `expected 0 or more milliseconds, got ${String(ms)}`);
  return ms;
}

/**
 * Dead jobs that still matter: a lock job whose code has since recovered (active or revoked,
 * e.g. after its failed-code retry or a reissue) is history, and so is any other dead job
 * older than a day (later runs have redone its work). The newest 50 are shown.
 */
function openDeadJobs(dead: Job[], codes: AccessCode[], now: Date): Job[] {
  const state = new Map(codes.map((c) => [c.id, c.state]));
  return dead
    .filter((j) => {
      if (j.kind === JOB_KINDS.lock) {
        const s = state.get(String(j.payload.codeId));
        return s !== undefined && s !== 'active' && s !== 'revoked';
      }
      return now.getTime() - j.updatedAt.getTime() < DAY_MS;
    })
    .slice(-50);
}

async function pendingWriteBacks(
  ctx: EngineContext,
  propertyId: string,
  bookings: BookingRecord[],
  codes: AccessCode[],
): Promise<PropertyStatus['writeBackPending']> {
  const byBooking = new Map<string, AccessCode[]>();
  for (const c of codes)
    if (c.state !== 'revoked') byBooking.set(c.bookingId, [...(byBooking.get(c.bookingId) ?? []), c]);
  const behind: Array<{ bookingId: string; action: 'upsert' | 'delete' }> = [];
  for (const b of bookings) {
    const want = desiredWriteBack(b, byBooking.get(b.bookingId) ?? []);
    if (want.action === 'upsert' || want.action === 'delete')
      behind.push({ bookingId: b.bookingId, action: want.action });
  }
  if (behind.length === 0) return [];
  const queued = (await ctx.store.listJobs({ propertyId, status: 'queued', limit: 1000 })).filter(
    (j) => j.kind === JOB_KINDS.writeBack,
  );
  const reason = queued.length
    ? `write-back queued${queued[0]!.lastError ? ` (last try: ${queued[0]!.lastError})` : ''}`
    : 'write-back not queued: run `brafa dispatch`';
  return behind.map((b) => ({ ...b, reason }));
}

export function createEngine(options: EngineOptions): Engine {
  const policy = validatePolicy({ length: options.passcode.length ?? 6, secret: options.passcode.secret });
  const logger =
    options.logger ??
    (process.env.BRAFA_LOG ? createLogger({ redactor: new Redactor([policy.secret]) }) : silentLogger);
  const onEvent = options.onEvent;
  const clock = options.clock ?? systemClock;
  const workerId = options.workerId ?? `worker-${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const ctx: EngineContext = {
    store: options.store,
    lock: options.lock,
    provider: options.providers,
    policy,
    clock,
    logger,
    emit: (event) => {
      try {
        onEvent?.(event);
      } catch (error) {
        // A broken hook must not break a door code.
        logger.warn('onEvent handler threw', { error: (error as Error).message });
      }
    },
    retry: { ...DEFAULT_RETRY, ...options.retry },
    random: options.random ?? Math.random,
    graceMs: options.graceMs ?? 24 * 60 * 60 * 1000,
    failedRetryMs: options.failedRetryMs ?? DEFAULT_FAILED_RETRY_MS,
    workerId,
    leaseMs,
    concurrency: Math.max(1, options.concurrency ?? 16),
    writeBackMaxDelayMs: Math.max(0, options.writeBackMaxDelayMs ?? DEFAULT_WRITE_BACK_MAX_DELAY_MS),
    warnedNoWriteBack: new Set(),
    housekeeping: new Housekeeping(
      options.store,
      clock,
      {
        doneJobsMs: retentionOf(
          'doneJobRetentionMs',
          options.doneJobRetentionMs,
          DEFAULT_DONE_JOB_RETENTION_MS,
        ),
        logsMs: retentionOf('logRetentionMs', options.logRetentionMs, DEFAULT_LOG_RETENTION_MS),
        endedBookingsMs: retentionOf(
          'endedBookingRetentionMs',
          options.endedBookingRetentionMs,
          DEFAULT_ENDED_BOOKING_RETENTION_MS,
        ),
      },
      logger,
    ),
    commits: new GroupCommit(options.store, clock),
    codeReads: new CodeReads(options.store),
    lockLanes: new LockLanes(),
    jobLeases: new JobLeaseKeeper(options.store, clock, workerId, leaseMs, logger),
    lockLeases:
      (options.lockLeases ?? options.store.sharedByWorkers ?? false)
        ? // Owned by this engine, not by the worker name: two processes given one `workerId`
          // (a host name, say) must still exclude each other.
          new LockLeases(options.store, clock, `${workerId}#${randomUUID()}`)
        : undefined,
  };

  return {
    context: ctx,
    syncProperty: (propertyId, o) => syncProperty(ctx, propertyId, o),
    syncUnits: (propertyId) => syncUnits(ctx, propertyId),
    async plan(propertyId, o = {}) {
      const fresh = o.fetch ? (await fetchAll(ctx, propertyId, o.window)).bookings : undefined;
      return planOnly(ctx, propertyId, fresh);
    },
    replan: (propertyId) => planAndPersist(ctx, propertyId),
    dispatch: (o) => dispatch(ctx, o),
    async run(o = {}) {
      const properties = o.propertyId
        ? [await requireProperty(ctx.store, o.propertyId)]
        : await ctx.store.listProperties();
      const syncs: SyncResult[] = [];
      const errors: RunResult['errors'] = [];
      for (const property of properties) {
        try {
          syncs.push(await syncProperty(ctx, property.id, o.window ? { window: o.window } : {}));
        } catch (error) {
          errors.push({ propertyId: property.id, error: (error as Error).message });
          logger.error('sync failed', { propertyId: property.id, error: (error as Error).message });
        }
      }
      const result = await dispatch(ctx, o.propertyId ? { propertyId: o.propertyId } : {});
      return { syncs, dispatch: result, errors };
    },
    async reissue(propertyId, bookingId) {
      const booking = await ctx.store.getBooking(propertyId, bookingId);
      if (!booking)
        throw new ValidationError('bookingId', `unknown booking ${bookingId} in property ${propertyId}`);
      const codes = await ctx.store.listAccessCodes({ propertyId, bookingId });
      const highest = Math.max(booking.passcodeAttempt - 1, ...codes.map((c) => c.attempt));
      await ctx.store.updateBookingState(
        propertyId,
        bookingId,
        { passcodeAttempt: highest + 1 },
        ctx.clock.now(),
      );
      return planAndPersist(ctx, propertyId);
    },
    audit: (propertyId, o) => auditProperty(ctx, propertyId, o),
    async status(propertyId) {
      const property = await requireProperty(ctx.store, propertyId);
      const [bookings, codes, jobs, dead] = await Promise.all([
        ctx.store.listBookings(propertyId),
        ctx.store.listAccessCodes({ propertyId, includeRevoked: true }),
        ctx.store.countJobs({ propertyId }),
        ctx.store.listJobs({ propertyId, status: 'dead', limit: 1000 }),
      ]);
      const counts: Record<AccessCodeState, number> = {
        pending: 0,
        active: 0,
        pending_revoke: 0,
        revoked: 0,
        failed: 0,
      };
      for (const c of codes) counts[c.state]++;
      return {
        propertyId,
        enabled: property.enabled,
        bookings: bookings.length,
        codes: counts,
        failures: codes
          .filter(
            (c) => c.state === 'failed' || (c.lastError && c.state !== 'active' && c.state !== 'revoked'),
          )
          .map((c) => ({ bookingId: c.bookingId, lockId: c.lockId, reason: c.lastError ?? 'failed' })),
        bookingIssues: bookings
          .filter((b) => b.issue && b.status === 'confirmed' && b.issue !== 'access window has ended')
          .map((b) => ({ bookingId: b.bookingId, issue: b.issue! })),
        writeBackErrors: bookings
          .filter((b) => b.writeBackError)
          .map((b) => ({ bookingId: b.bookingId, error: b.writeBackError! })),
        writeBackPending: await pendingWriteBacks(ctx, propertyId, bookings, codes),
        jobs,
        deadJobs: openDeadJobs(dead, codes, ctx.clock.now()).map((j) => ({
          id: j.id,
          kind: j.kind,
          error: j.lastError,
        })),
      };
    },
  };
}
