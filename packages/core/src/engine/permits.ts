/**
 * The engine's `concurrency`: how many jobs may be at work at once. A job holds a permit from
 * its claim to its end, except while it waits for a lock another of its jobs is operating
 * (see `LockLanes`): then it gives the permit back and takes one again when its turn comes,
 * before any newly claimed job.
 *
 * Why: a shared entrance is in every stay's plan. Its jobs, claimed beside the rooms' and
 * each waiting for the one before, used to keep their slots while they waited; claim after
 * claim the slots filled up with entrance jobs, and the rooms' doors got their codes at the
 * entrance's pace (one gateway operation at a time) instead of `concurrency` at a time.
 */
export class Permits {
  private used = 0;
  /** Parked jobs whose turn came, waiting for a permit (they go before new claims). */
  private readonly queue: Array<() => void> = [];

  /**
   * @param size the number of permits
   * @param onFree called whenever a permit becomes free (the dispatcher may claim again)
   */
  constructor(
    readonly size: number,
    private readonly onFree: () => void,
  ) {}

  /** Permits free for new claims (none while parked jobs wait for one). */
  get free(): number {
    return this.queue.length ? 0 : this.size - this.used;
  }

  /** Takes a permit for a job just claimed (the caller checked `free`). */
  take(): void {
    this.used++;
  }

  /** Gives a permit back: straight to the first parked job waiting for one, if any. */
  release(): void {
    const next = this.queue.shift();
    if (next) {
      next();
      return;
    }
    this.used--;
    this.onFree();
  }

  /** Takes a permit again for a parked job whose turn came; waits if none is free. */
  async retake(): Promise<void> {
    if (this.used < this.size && this.queue.length === 0) {
      this.used++;
      return;
    }
    // The releasing job hands its permit over: `used` stays as it is.
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }
}

/** What a job waiting for a busy lock does with its permit meanwhile. */
export interface Parking {
  /** Called before the wait: the permit goes back. */
  park(): void;
  /** Called when the lock is this job's: resolves once it holds a permit again. */
  unpark(): Promise<void>;
}

export const parkingFor = (permits: Permits): Parking => ({
  park: () => permits.release(),
  unpark: () => permits.retake(),
});
