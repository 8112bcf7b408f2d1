import { describeError } from '../errors/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';

/** Leases renewed per transaction: bounds how long one renewal holds SQLite's write lock. */
const RENEWALS_PER_COMMIT = 500;

/**
 * Keeps the leases of this engine's running jobs: lock jobs from their claim to the lock's
 * answer (waiting for their lock, parked, or in a long gateway operation), other jobs for as
 * long as they run, so no other worker reclaims one meanwhile. Every third of the lease, all
 * of them together: one transaction per 500 jobs, not one per job. A deep backlog on a shared
 * entrance parks thousands of jobs; with a timer and a write each, that was a transaction per
 * job every 100 s for the whole backlog.
 */
export class JobLeaseKeeper {
  private readonly kept = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private renewing = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  /** Keeps `jobId`'s lease until `stop()` (or until the lease turns out lost). */
  keep(jobId: string): { stop(): void } {
    this.kept.add(jobId);
    if (!this.timer) {
      // A job kept from just after a tick is renewed at the next: within a third of its lease.
      this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.leaseMs / 3)));
      // Waiting jobs must not keep the process alive on their own.
      this.timer.unref();
    }
    return { stop: () => this.drop(jobId) };
  }

  /** Jobs whose leases are being kept (for tests and diagnostics). */
  get size(): number {
    return this.kept.size;
  }

  private drop(jobId: string): void {
    this.kept.delete(jobId);
    if (this.kept.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async renew(): Promise<void> {
    // A store slower than a third of the lease: the next tick carries on.
    if (this.renewing) return;
    this.renewing = true;
    try {
      const ids = [...this.kept];
      const until = new Date(this.clock.now().getTime() + this.leaseMs);
      for (let i = 0; i < ids.length; i += RENEWALS_PER_COMMIT) {
        const chunk = ids.slice(i, i + RENEWALS_PER_COMMIT);
        const lost = await this.store.transaction(async (tx) => {
          const gone: string[] = [];
          for (const id of chunk) if (!(await tx.renewJobLease(id, this.owner, until))) gone.push(id);
          return gone;
        });
        // Reclaimed by another worker, or done meanwhile: nothing left to keep.
        for (const id of lost) this.drop(id);
      }
    } catch (error) {
      this.logger.warn('could not renew the leases of running jobs', {
        jobs: this.kept.size,
        error: describeError(error),
      });
    } finally {
      this.renewing = false;
    }
  }
}
