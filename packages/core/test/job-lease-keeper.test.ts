import { describe, expect, it } from 'vitest';
import { JobLeaseKeeper } from '../src/engine/job-lease-keeper.js';
import { systemClock } from '../src/ports/clock.js';
import { silentLogger } from '../src/ports/logger.js';
import type { Store } from '../src/ports/store.js';
import { MemoryStore } from '../src/testing/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store counting its transactions. */
function counting(store: MemoryStore): { store: Store; transactions: () => number } {
  let n = 0;
  const counted = Object.create(store) as Store;
  counted.transaction = (fn) => {
    n++;
    return store.transaction(fn);
  };
  return { store: counted, transactions: () => n };
}

describe('JobLeaseKeeper', () => {
  it("renews every kept job's lease together, one transaction per round, and drops lost ones", async () => {
    const memory = new MemoryStore();
    const now = new Date();
    await memory.enqueueJobs(
      Array.from({ length: 40 }, (_, i) => ({ kind: 'lock', propertyId: 'P1', payload: { i } })),
      now,
    );
    const mine = await memory.claimJobs({ owner: 'w1', limit: 30, leaseMs: 150, now });
    const theirs = await memory.claimJobs({ owner: 'w2', limit: 10, leaseMs: 150, now });
    const { store, transactions } = counting(memory);
    const keeper = new JobLeaseKeeper(store, systemClock, 'w1', 150, silentLogger);
    const kept = [...mine, ...theirs].map((j) => keeper.keep(j.id));
    expect(keeper.size).toBe(40);
    // Past the lease: the rounds (every 50 ms) kept all of w1's jobs running, each round in
    // one transaction; w2's jobs are not w1's to renew and were dropped at the first round.
    await sleep(260);
    const rounds = transactions();
    expect(rounds).toBeGreaterThanOrEqual(3);
    expect(rounds).toBeLessThanOrEqual(6);
    expect(keeper.size).toBe(30);
    const checkAt = new Date();
    for (const j of mine) {
      const job = await memory.getJob(j.id);
      expect(job?.leaseOwner).toBe('w1');
      expect(job?.leaseExpiresAt?.getTime()).toBeGreaterThan(checkAt.getTime());
    }
    // Stopped: no more rounds.
    for (const k of kept) k.stop();
    expect(keeper.size).toBe(0);
    const after = transactions();
    await sleep(120);
    expect(transactions()).toBe(after);
  });
});
