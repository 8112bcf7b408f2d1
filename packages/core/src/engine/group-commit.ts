import type { Clock } from '../ports/clock.js';
import type { NewJob, Store } from '../ports/store.js';

/**
 * A unit of work that must commit atomically, given the transaction and a way to enqueue
 * follow-up jobs (collected and enqueued once per commit, duplicates by dedupe key dropped).
 */
export type CommitWork<T> = (tx: Store, enqueue: (job: NewJob) => void) => Promise<T>;

interface Pending {
  work: CommitWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Bounds how long one commit holds the database's write lock (SQLite has only one). */
const MAX_BATCH = 32;

/**
 * Group commit. Every lock operation ends with a small write (the code's new state, its
 * follow-up jobs, the job's completion); committed one by one, the commit itself was the
 * largest single cost of a lock operation (~0.1 ms of SQLite's 0.3 ms, plus a transaction's
 * round of queries). Work submitted while a commit is running, or within the same turn of
 * the event loop, shares the next transaction. Each caller still gets its own result, only
 * after that transaction committed.
 *
 * If a shared transaction fails, each of its works runs again in a transaction of its own,
 * so one bad row cannot fail the others (a work must therefore be safe to run again after
 * its first transaction rolled back, which every transactional work is).
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  run<T>(work: CommitWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // Let the other replies that arrived in this turn of the event loop join.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        if (batch.length === 1) await this.alone(batch[0] as Pending);
        else await this.together(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async together(batch: Pending[]): Promise<void> {
    let results: unknown[];
    try {
      results = await this.store.transaction(async (tx) => {
        const jobs = new JobCollector();
        const out: unknown[] = [];
        for (const p of batch) out.push(await p.work(tx, jobs.add));
        await jobs.flush(tx, this.clock.now());
        return out;
      });
    } catch {
      for (const p of batch) await this.alone(p);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i]);
  }

  private async alone(p: Pending): Promise<void> {
    try {
      p.resolve(
        await this.store.transaction(async (tx) => {
          const jobs = new JobCollector();
          const value = await p.work(tx, jobs.add);
          await jobs.flush(tx, this.clock.now());
          return value;
        }),
      );
    } catch (error) {
      p.reject(error);
    }
  }
}

class JobCollector {
  private readonly jobs: NewJob[] = [];
  private readonly keys = new Set<string>();

  readonly add = (job: NewJob): void => {
    if (job.dedupeKey !== undefined) {
      if (this.keys.has(job.dedupeKey)) return;
      this.keys.add(job.dedupeKey);
    }
    this.jobs.push(job);
  };

  async flush(tx: Store, now: Date): Promise<void> {
    if (this.jobs.length) await tx.enqueueJobs(this.jobs, now);
  }
}
