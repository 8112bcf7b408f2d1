import type { Parking } from './permits.js';

interface Waiter {
  priority: number;
  wake: () => void;
}

/**
 * One operation per lock at a time from this engine, the most urgent waiting job next.
 *
 * A gateway lock takes one operation at a time, so jobs claimed together for one lock (a
 * shared entrance is in every stay's plan) used to wait in the adapter's queue in the order
 * they got there: a last-minute stay's job, claimed after a backlog of next month's, reached
 * the door last — at real gateway latencies up to `concurrency` operations (of 1.5–10 s each)
 * late. Here they wait by job priority (the minute the code's window opens; see `lockJob`),
 * then in arrival order, so it goes next.
 *
 * A job that has to wait parks (`parking`): it gives its concurrency permit back for the
 * wait, so a backlog on one lock does not hold the slots the other doors need.
 */
export class LockLanes {
  /** Locks with an operation under way, each with its waiting jobs, most urgent first. */
  private readonly busy = new Map<string, Waiter[]>();

  /**
   * Runs `work` when the lock is free; `waited` tells whether it had to wait (its data may be
   * stale). With `parking`, a wait is bracketed by `park()` and `unpark()`.
   */
  async run<T>(
    lockId: string,
    priority: number,
    work: (waited: boolean) => Promise<T>,
    parking?: Parking,
  ): Promise<T> {
    let waiting = this.busy.get(lockId);
    const waited = waiting !== undefined;
    if (waiting) {
      const line = waiting;
      parking?.park();
      // Ownership passes straight from the finishing operation to this waiter (see below).
      await new Promise<void>((wake) => line.splice(positionFor(line, priority), 0, { priority, wake }));
      // The lock is ours from here: the lane stays busy while we wait for a permit.
      await parking?.unpark();
    } else {
      waiting = [];
      this.busy.set(lockId, waiting);
    }
    try {
      return await work(waited);
    } finally {
      const next = waiting.shift();
      if (next) next.wake();
      else this.busy.delete(lockId);
    }
  }

  /** Jobs waiting for a lock (for tests and diagnostics). */
  waitingFor(lockId: string): number {
    return this.busy.get(lockId)?.length ?? 0;
  }
}

/** After every waiter at least as urgent: equal priorities keep their arrival order. */
function positionFor(line: Waiter[], priority: number): number {
  let low = 0;
  let high = line.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((line[mid] as Waiter).priority <= priority) low = mid + 1;
    else high = mid;
  }
  return low;
}
