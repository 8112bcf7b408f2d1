import type { AccessCode } from '../domain/schemas.js';
import type { Store } from '../ports/store.js';

interface Waiter {
  resolve: (code: AccessCode | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads code rows by id, the reads asked for in the same turn of the event loop together in
 * one query. A lock job that waited for its lock reads its code again before calling the lock
 * (the plan may have moved or settled it meanwhile); at a gateway's pace the lock answers
 * arrive in bursts, and each answer lets the next job of its lock go. Read one by one, those
 * reads were the largest single SQLite cost of a time-to-door run (1,800 statements for 2,000
 * operations, each its own read transaction). The read happens after it was asked for, so it
 * is as fresh as a read of its own. If the batch's query fails, each row is read on its own.
 */
export class CodeReads {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(private readonly store: Store) {}

  get(id: string): Promise<AccessCode | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(id);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(id, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const ids = [...batch.keys()];
    try {
      const rows =
        ids.length === 1
          ? [await this.store.getAccessCode(ids[0] as string)]
          : await this.store.listAccessCodes({ ids, includeRevoked: true });
      const byId = new Map<string, AccessCode>();
      for (const row of rows) if (row) byId.set(row.id, row);
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(byId.get(id));
    } catch {
      // Each reads its own row then, so one bad read cannot fail the others; a reader whose
      // own read fails gets that failure (its job is retried like every other failed job).
      for (const [id, waiters] of batch) {
        try {
          const row = await this.store.getAccessCode(id);
          for (const w of waiters) w.resolve(row);
        } catch (error) {
          for (const w of waiters) w.reject(error);
        }
      }
    }
  }
}
