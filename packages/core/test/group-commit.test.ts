import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/engine/group-commit.js';
import { ManualClock } from '../src/ports/clock.js';
import type { Store } from '../src/ports/store.js';
import { MemoryStore } from '../src/testing/memory-store.js';

function countingStore() {
  const store = new MemoryStore();
  let transactions = 0;
  const original = store.transaction.bind(store);
  store.transaction = <T>(fn: (tx: Store) => Promise<T>) => {
    transactions++;
    return original(fn);
  };
  return { store, transactions: () => transactions };
}

const clock = new ManualClock('2026-06-01T12:00:00Z');
const writeBack = (propertyId: string) => ({
  kind: 'writeback',
  propertyId,
  payload: {},
  dedupeKey: `writeback:${propertyId}`,
});

describe('GroupCommit', () => {
  it('commits work submitted in the same turn in one transaction, each caller getting its own result', async () => {
    const { store, transactions } = countingStore();
    const commits = new GroupCommit(store, clock);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        commits.run(async (tx) => {
          await tx.setCheckpoint(`k${i}`, String(i));
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(transactions()).toBe(1);
    expect(await store.getCheckpoint('k9')).toBe('9');
  });

  it('work arriving while a commit runs joins the next one', async () => {
    const { store, transactions } = countingStore();
    const commits = new GroupCommit(store, clock);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = commits.run(async () => {
      await gate;
      return 'first';
    });
    await new Promise((resolve) => setImmediate(resolve));
    const later = Array.from({ length: 5 }, (_, i) => commits.run(async () => i));
    release();
    expect(await first).toBe('first');
    expect(await Promise.all(later)).toEqual([0, 1, 2, 3, 4]);
    expect(transactions()).toBe(2);
  });

  it('enqueues follow-up jobs once per dedupe key per commit', async () => {
    const store = new MemoryStore();
    const commits = new GroupCommit(store, clock);
    await Promise.all([
      commits.run(async (_tx, enqueue) => enqueue(writeBack('P1'))),
      commits.run(async (_tx, enqueue) => enqueue(writeBack('P1'))),
      commits.run(async (_tx, enqueue) => enqueue(writeBack('P2'))),
    ]);
    const jobs = await store.listJobs({ status: 'queued' });
    expect(jobs.map((j) => j.dedupeKey).sort()).toEqual(['writeback:P1', 'writeback:P2']);
  });

  it('a failing work fails alone: the others are committed in transactions of their own', async () => {
    const store = new MemoryStore();
    const commits = new GroupCommit(store, clock);
    const outcomes = await Promise.allSettled([
      commits.run(async (tx, enqueue) => {
        await tx.setCheckpoint('a', '1');
        enqueue(writeBack('P1'));
        return 'a';
      }),
      commits.run(async (tx) => {
        await tx.setCheckpoint('bad', '1');
        throw new Error('constraint failed');
      }),
      commits.run(async (tx) => {
        await tx.setCheckpoint('c', '1');
        return 'c';
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'constraint failed' });
    expect(await store.getCheckpoint('a')).toBe('1');
    expect(await store.getCheckpoint('c')).toBe('1');
    // The failed work's own writes rolled back with it.
    expect(await store.getCheckpoint('bad')).toBeUndefined();
    expect(await store.listJobs({ status: 'queued' })).toHaveLength(1);
  });
});
