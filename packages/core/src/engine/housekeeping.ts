import { describeError } from '../errors/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';

const DAY_MS = 86_400_000;

/**
 * How long a done job stays in the queue by default: a week of history for `brafa status` and
 * support questions ("was that code sent on Tuesday?"), while the queue and its indexes stay
 * the size of a week's work instead of growing with every lock operation ever made.
 */
export const DEFAULT_DONE_JOB_RETENTION_MS = 7 * DAY_MS;

/**
 * How long webhook, write-back and quarantine log rows stay by default: a month covers a stay
 * and the questions after it. The rows hold what the PMS sent (guests' names, emails), so
 * keeping them for ever is neither needed nor kind.
 */
export const DEFAULT_LOG_RETENTION_MS = 30 * DAY_MS;

/**
 * How long a stay stays in the store after its departure by default (with its codes, once all
 * of them are off their locks): as long as the logs about it. Longer than the sync window
 * reaches back (7 days by default), or the sync would fetch and store ended stays again.
 */
export const DEFAULT_ENDED_BOOKING_RETENTION_MS = 30 * DAY_MS;

/** A look for old rows costs a read of the done jobs' index entries: a few times an hour. */
const PRUNE_EVERY_MS = 10 * 60_000;
/** Rows per delete, so one prune never holds SQLite's single write lock for long. */
const PRUNE_BATCH = 1_000;
/** Deletes per turn; a store with more to prune (an upgrade, a long pause) goes on next turn. */
const BATCHES_PER_TURN = 10;

export interface Retention {
  /** `Infinity` keeps done jobs for ever. */
  doneJobsMs: number;
  /** `Infinity` keeps log rows for ever. */
  logsMs: number;
  /** After departure; `Infinity` keeps ended bookings (and their revoked codes) for ever. */
  endedBookingsMs: number;
}

/**
 * Deletes done jobs, log rows and ended bookings past their retention, after a dispatch, at
 * most every ten minutes (or at once again while a backlog of them remains), one turn at a
 * time per engine (dispatches may overlap). Housekeeping never fails a dispatch: a failed
 * prune is logged with its reason and tried again ten minutes later.
 */
export class Housekeeping {
  private nextAt = Number.NEGATIVE_INFINITY;
  private turn: Promise<unknown> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly retention: Retention,
    private readonly logger: Logger,
  ) {}

  /** Rows deleted this turn (zeros when it was not time yet, or another turn is under way). */
  async prune(): Promise<{ jobs: number; logs: number; bookings: number }> {
    const now = this.clock.now().getTime();
    if (now < this.nextAt || this.turn) return { jobs: 0, logs: 0, bookings: 0 };
    const turn = this.pruneNow(now);
    this.turn = turn;
    try {
      return await turn;
    } finally {
      this.turn = undefined;
    }
  }

  private async pruneNow(now: number): Promise<{ jobs: number; logs: number; bookings: number }> {
    let more = false;
    const batches = async (
      retentionMs: number,
      what: string,
      one: (before: Date) => Promise<number>,
    ): Promise<number> => {
      if (!Number.isFinite(retentionMs)) return 0;
      const before = new Date(now - retentionMs);
      let pruned = 0;
      try {
        for (let i = 0; i < BATCHES_PER_TURN; i++) {
          const n = await one(before);
          pruned += n;
          if (n < PRUNE_BATCH) return pruned;
        }
        more = true;
      } catch (error) {
        this.logger.warn(`could not delete old ${what}; trying again in ten minutes`, {
          error: describeError(error),
        });
      }
      return pruned;
    };
    const jobs = await batches(this.retention.doneJobsMs, 'done jobs', (finishedBefore) =>
      this.store.pruneJobs({ finishedBefore, limit: PRUNE_BATCH }),
    );
    // A log call deletes up to a batch per log table; a batch's worth in all counts as "more".
    const logs = await batches(this.retention.logsMs, 'log rows', (before) =>
      this.store.pruneLogs({ before, limit: PRUNE_BATCH }),
    );
    let bookings = 0;
    if (Number.isFinite(this.retention.endedBookingsMs)) {
      // Departure dates are the properties' local dates: a day either way does not matter here.
      const departedBefore = new Date(now - this.retention.endedBookingsMs).toISOString().slice(0, 10);
      const properties = await this.store.listProperties().catch((error: unknown) => {
        this.logger.warn('could not list properties to delete ended bookings; trying again in ten minutes', {
          error: describeError(error),
        });
        return [];
      });
      for (const property of properties)
        bookings += await batches(this.retention.endedBookingsMs, 'ended bookings', () =>
          this.store.pruneEndedBookings(property.id, { departedBefore, limit: PRUNE_BATCH }),
        );
    }
    this.nextAt = more ? now : now + PRUNE_EVERY_MS;
    if (jobs + logs + bookings > 0)
      this.logger.info('deleted old done jobs, log rows and ended bookings', { jobs, logs, bookings });
    return { jobs, logs, bookings };
  }
}
