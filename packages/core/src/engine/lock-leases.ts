import { TransientError } from '../errors/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { Parking } from './permits.js';

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

/**
 * How long a worker keeps a lock while another waits for it: then it gives the lock up for
 * one of the waiters. Well under LOCK_LEASE_WAIT_MS with a gateway operation on top (up to
 * ~35 s), so a waiting job gets its turn before it gives up.
 */
export const LOCK_FAIR_SHARE_MS = 20_000;

/** How long a waiter's "someone is waiting" sign lasts unless renewed (it is, every pause). */
const WAITING_SIGN_MS = 4 * LONGEST_PAUSE_MS;

/** How long a worker that gave a lock up stays away: longer than a waiter's longest pause. */
const STEP_ASIDE_MS = 2 * LONGEST_PAUSE_MS;

export const lockLeaseKey = (lockId: string) => `lock:${lockId}`;
const waitingKey = (lockId: string) => `lock-waiting:${lockId}`;

/**
 * One operation per lock across every worker sharing the store. Gateway locks take one
 * operation at a time and the cloud fails a second one sent meanwhile ("the lock is busy"):
 * the engine's lock lanes keep that true inside one process, and these store leases across
 * processes and machines (several workers on one PostgreSQL, or a cron run beside a serving
 * process), where, say, the entrance every stay opens would otherwise get operations from
 * every worker at once, each failure costing a call and a backoff.
 *
 * A process keeps its hold while it has more operations queued for that lock (each one
 * renews it) and gives it back when its lane for the lock is empty — or, when another worker
 * is waiting for it (a sign it leaves in the store), after `fairShareMs`: with a deep backlog
 * on a shared entrance in several workers, each worker's lane never empties, and the others'
 * jobs for it would otherwise wait, give up and spend their attempts until they died.
 */
export class LockLeases {
  /** Locks this worker holds, with when it took each (performance.now). */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly waitMs = LOCK_LEASE_WAIT_MS,
    private readonly fairShareMs = LOCK_FAIR_SHARE_MS,
  ) {}

  /**
   * Resolves once this worker holds `lockId` (taken or renewed); a TransientError after
   * `waitMs`. With `parking`, the job gives its concurrency permit back while it waits for
   * another worker (or steps aside for one), and has it again when this resolves or throws.
   */
  async hold(lockId: string, parking?: Parking): Promise<void> {
    let parked = false;
    const park = () => {
      if (parked || !parking) return;
      parking.park();
      parked = true;
    };
    try {
      await this.stepAsideIfDue(lockId, park);
      await this.take(lockId, park);
    } finally {
      if (parked) await parking?.unpark();
    }
  }

  /** After its fair share, a holder gives the lock up if another worker waits for it. */
  private async stepAsideIfDue(lockId: string, park: () => void): Promise<void> {
    const since = this.held.get(lockId);
    if (since === undefined || performance.now() - since < this.fairShareMs) return;
    if (await this.othersWaitFor(lockId)) {
      // Our turn is over: give the lock up, and stay away long enough for a waiter to take it.
      await this.release(lockId);
      park();
      await new Promise((resolve) => setTimeout(resolve, STEP_ASIDE_MS));
    } else {
      this.held.set(lockId, performance.now());
    }
  }

  private async take(lockId: string, park: () => void): Promise<void> {
    const key = lockLeaseKey(lockId);
    const started = performance.now();
    let signed = false;
    try {
      for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
        const now = this.clock.now();
        if (await this.store.acquireLease(key, this.owner, new Date(now.getTime() + LOCK_LEASE_MS), now)) {
          if (!this.held.has(lockId)) this.held.set(lockId, performance.now());
          return;
        }
        park();
        // Tell the holder someone waits (whoever left the sign first keeps it: one is enough).
        const until = new Date(now.getTime() + WAITING_SIGN_MS);
        if (await this.store.acquireLease(waitingKey(lockId), this.owner, until, now)) signed = true;
        if (performance.now() - started >= this.waitMs) {
          throw new TransientError(`lock ${lockId} is busy with an operation of another worker`, {
            code: 'lock_busy_elsewhere',
            retryAfterMs: 5_000,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } finally {
      // The sign lapses by itself within WAITING_SIGN_MS; taking it down early spares the
      // holder a step aside for nobody, so a failure here is not worth failing the job for.
      if (signed) await this.store.releaseLease(waitingKey(lockId), this.owner).catch(() => undefined);
    }
  }

  /** Gives the lock back if this worker holds it. */
  async release(lockId: string): Promise<void> {
    if (!this.held.delete(lockId)) return;
    await this.store.releaseLease(lockLeaseKey(lockId), this.owner);
  }

  /** Whether another worker has left its waiting sign for the lock (and it has not lapsed). */
  private async othersWaitFor(lockId: string): Promise<boolean> {
    const now = this.clock.now();
    // Taking the sign ourselves succeeds only when nobody else holds it; then drop it again.
    if (await this.store.acquireLease(waitingKey(lockId), this.owner, now, now)) {
      await this.store.releaseLease(waitingKey(lockId), this.owner);
      return false;
    }
    return true;
  }
}
