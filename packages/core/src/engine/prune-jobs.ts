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

/** A look for old done jobs costs one read of the done jobs' index entries: a few times an hour. */
const PRUNE_EVERY_MS = 10 * 60_000;
/** Rows per delete, so one prune never holds SQLite's single write lock for long. */
const PRUNE_BATCH = 1_000;
/** Deletes per turn; a store with more to prune (an upgrade, a long pause) goes on next turn. */
const BATCHES_PER_TURN = 10;

/**
 * Deletes done jobs older than the retention, after a dispatch, at most every ten minutes (or
 * at once again while a backlog of them remains). Housekeeping never fails a dispatch: a
 * failed prune is logged with its reason and tried again ten minutes later.
 */
export class DoneJobPruner {
  private nextAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** `Infinity` keeps done jobs forever. */
    readonly retentionMs: number,
    private readonly logger: Logger,
  ) {}

  /** Jobs deleted this turn (0 when it was not time yet). */
  async prune(): Promise<number> {
    if (!Number.isFinite(this.retentionMs)) return 0;
    const now = this.clock.now().getTime();
    if (now < this.nextAt) return 0;
    const finishedBefore = new Date(now - this.retentionMs);
    let pruned = 0;
    let more = false;
    try {
      for (let i = 0; i < BATCHES_PER_TURN; i++) {
        const n = await this.store.pruneJobs({ finishedBefore, limit: PRUNE_BATCH });
        pruned += n;
        more = n === PRUNE_BATCH;
        if (!more) break;
      }
    } catch (error) {
      this.logger.warn('could not delete old done jobs; trying again in ten minutes', {
        error: describeError(error),
      });
    }
    this.nextAt = more ? now : now + PRUNE_EVERY_MS;
    if (pruned > 0)
      this.logger.info('deleted old done jobs', {
        jobs: pruned,
        finishedBefore: finishedBefore.toISOString(),
      });
    return pruned;
  }
}
