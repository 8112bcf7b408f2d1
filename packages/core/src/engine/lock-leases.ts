import { TransientError } from '../errors/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

/**
 * How long one worker's hold on a lock lasts without renewal: well above the longest gateway
 * operation a lock adapter waits for (tens of seconds), so a hold never lapses mid-operation;
 * a worker that dies holding one delays that lock by at most this long.
 */
export const LOCK_LEASE_MS = 120_000;

/** How long a lock job waits for another worker's operation on its lock before it retries later. */
export const LOCK_LEASE_WAIT_MS = 60_000;

const FIRST_PAUSE_MS = 20;
const LONGEST_PAUSE_MS = 500;

export const lockLeaseKey = (lockId: string) => `lock:${lockId}`;

/**
 * One operation per lock across every worker sharing the store. Gateway locks take one
 * operation at a time and the cloud fails a second one sent meanwhile ("the lock is busy"):
 * the engine's lock lanes keep that true inside one process, and these store leases across
 * processes and machines (several workers on one PostgreSQL, or a cron run beside a serving
 * process), where, say, the entrance every stay opens would otherwise get operations from
 * every worker at once, each failure costing a call and a backoff.
 *
 * A process keeps its hold while it has more operations queued for that lock (each one
 * renews it) and gives it back when its lane for the lock is empty.
 */
export class LockLeases {
  private readonly held = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly waitMs = LOCK_LEASE_WAIT_MS,
  ) {}

  /** Resolves once this worker holds `lockId` (taken or renewed); a TransientError after `waitMs`. */
  async hold(lockId: string): Promise<void> {
    const key = lockLeaseKey(lockId);
    const started = performance.now();
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      const now = this.clock.now();
      if (await this.store.acquireLease(key, this.owner, new Date(now.getTime() + LOCK_LEASE_MS), now)) {
        this.held.add(lockId);
        return;
      }
      if (performance.now() - started >= this.waitMs) {
        throw new TransientError(`lock ${lockId} is busy with an operation of another worker`, {
          code: 'lock_busy_elsewhere',
          retryAfterMs: 5_000,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** Gives the lock back if this worker holds it. */
  async release(lockId: string): Promise<void> {
    if (!this.held.delete(lockId)) return;
    await this.store.releaseLease(lockLeaseKey(lockId), this.owner);
  }
}
