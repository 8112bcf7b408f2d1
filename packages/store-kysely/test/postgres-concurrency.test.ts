import type { Store } from '@brafa/core';
import { makeBooking } from '@brafa/core/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from './support/databases.js';
import { databaseUrl } from './support/pg-stores.js';
import { describePostgres, postgresUrl } from './support/pg-suite.js';

const T0 = new Date('2026-04-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE_MS = 30_000;
const JOBS = 1_000;

const adminUrl = postgresUrl('postgres-concurrency');

describePostgres('PostgreSQL: several workers share one queue', adminUrl, (admin) => {
  let name: string;
  let url: string;
  const opened: Store[] = [];
  /** Each worker is its own pool of connections, as separate machines would be. */
  const worker = async () => {
    const store = await openStore(url, { poolSize: 3, migrate: false });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    name = uniqueDatabaseName('brafa_conc');
    await createDatabase(admin, name);
    url = databaseUrl(admin, name);
    const setup = await openStore(url); // migrates
    await setup.close();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await dropDatabase(admin, name);
  });

  /** Claim-run-complete until nothing is claimable at `now`; records every claim and completion. */
  async function drain(store: Store, owner: string, now: Date, log: { claims: string[]; done: string[] }) {
    for (;;) {
      const jobs = await store.claimJobs({ owner, limit: 7, leaseMs: LEASE_MS, now });
      if (jobs.length === 0) return;
      for (const job of jobs) {
        log.claims.push(job.id);
        // Yield between jobs so the workers' statements really interleave.
        await new Promise((r) => setImmediate(r));
        expect(await store.completeJob(job.id, owner, now)).toBe(true);
        log.done.push(job.id);
      }
    }
  }

  it('says it is shared by workers, so engines serialise lock operations across them', async () => {
    expect((await worker()).sharedByWorkers).toBe(true);
  });

  it('4 workers claim 1,000 jobs: none runs twice, none is lost; a dead worker’s jobs are reclaimed after its lease', async () => {
    const producer = await worker();
    const ids = await producer.enqueueJobs(
      Array.from({ length: JOBS }, (_, i) => ({ kind: 'lock', propertyId: `P${i % 7}`, payload: { i } })),
      T0,
    );
    expect(new Set(ids).size).toBe(JOBS);

    // A worker claims a batch, then dies: its pool is torn down without completing anything.
    const doomed = await worker();
    const abandoned = await doomed.claimJobs({ owner: 'doomed', limit: 25, leaseMs: LEASE_MS, now: at(1) });
    expect(abandoned).toHaveLength(25);
    await doomed.close();

    const workers = await Promise.all([1, 2, 3, 4].map(() => worker()));
    const logs = workers.map(() => ({ claims: [] as string[], done: [] as string[] }));

    // While the dead worker's lease holds, the four drain everything else concurrently…
    await Promise.all(workers.map((w, i) => drain(w, `w${i + 1}`, at(2), logs[i]!)));
    const firstRound = logs.flatMap((l) => l.claims);
    expect(new Set(firstRound).size).toBe(firstRound.length);
    expect(firstRound).toHaveLength(JOBS - abandoned.length);
    expect(firstRound.some((id) => abandoned.some((j) => j.id === id))).toBe(false);

    // …and once it has expired, they share the abandoned jobs too.
    await Promise.all(workers.map((w, i) => drain(w, `w${i + 1}`, at(32), logs[i]!)));

    const claims = logs.flatMap((l) => l.claims);
    const done = logs.flatMap((l) => l.done);
    expect(new Set(claims).size).toBe(claims.length); // no job ran twice among the live workers
    expect(new Set(done)).toEqual(new Set(ids)); // none lost
    expect(done).toHaveLength(JOBS);
    expect(logs.filter((l) => l.claims.length > 0).length).toBeGreaterThan(1); // the work was shared

    expect(await producer.countJobs()).toEqual({ queued: 0, running: 0, done: JOBS, dead: 0 });
    const reclaimed = new Set(abandoned.map((j) => j.id));
    for (const job of await producer.listJobs()) {
      expect(job.attempts).toBe(reclaimed.has(job.id) ? 2 : 1);
    }
    // The dead worker, were it to wake up, can no longer finish what it held.
    expect(await producer.completeJob(abandoned[0]!.id, 'doomed', at(40))).toBe(false);
  });

  it('concurrent enqueues with one de-duplication key never lose the job', async () => {
    const producers = await Promise.all([1, 2, 3, 4].map(() => worker()));
    const ids = await Promise.all(
      producers.map((p, i) =>
        p.enqueueJobs(
          [{ kind: 'sync.bookings', propertyId: 'P1', payload: { i }, dedupeKey: 'sync:P1' }],
          T0,
        ),
      ),
    );
    const queued = await producers[0]!.listJobs({ status: 'queued' });
    // The partial unique index lets one insert land; the others join that job.
    expect(queued).toHaveLength(1);
    expect(ids.map(([id]) => id)).toEqual([1, 2, 3, 4].map(() => queued[0]!.id));
  });

  it('workers enqueueing keys while others run them never run one key twice at once, and lose no request', async () => {
    // The bug this guards: a plan enqueued a lock job for a code whose previous job was
    // running; a second worker claimed the new one and both added the same code to the lock.
    const KEYS = 6;
    const ROUNDS = 60;
    const workers = await Promise.all([1, 2, 3, 4].map(() => worker()));
    const running = new Set<string>();
    const overlaps: string[] = [];
    /** Per key: the last request enqueued, and the last request a run of the key started after. */
    const requested = new Map<string, number>();
    const served = new Map<string, number>();
    let request = 0;
    const now = at(1);
    await Promise.all(
      workers.map(async (store, w) => {
        for (let round = 0; round < ROUNDS; round++) {
          const key = `lock:c${(round * 7 + w * 3) % KEYS}`;
          const n = ++request;
          await store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {}, dedupeKey: key }], now);
          requested.set(key, n);
          const jobs = await store.claimJobs({ owner: `w${w}`, limit: 2, leaseMs: LEASE_MS, now });
          for (const job of jobs) {
            const k = job.dedupeKey!;
            if (running.has(k)) overlaps.push(k);
            running.add(k);
            served.set(k, request); // everything enqueued so far is seen by this run
            await new Promise((r) => setTimeout(r, 1));
            running.delete(k);
            expect(await store.completeJob(job.id, `w${w}`, now)).toBe(true);
          }
        }
      }),
    );
    // What is left (reruns asked for during the last runs) drains with one worker.
    for (;;) {
      const jobs = await workers[0]!.claimJobs({ owner: 'last', limit: 10, leaseMs: LEASE_MS, now });
      if (jobs.length === 0) break;
      for (const job of jobs) {
        served.set(job.dedupeKey!, request);
        await workers[0]!.completeJob(job.id, 'last', now);
      }
    }
    expect(overlaps).toEqual([]);
    // Every key ran after its last request: nothing enqueued mid-run was dropped.
    for (const [key, n] of requested) expect(served.get(key) ?? 0, key).toBeGreaterThanOrEqual(n);
    expect(await workers[0]!.countJobs()).toMatchObject({ queued: 0, running: 0 });
  });

  it('4 workers pruning at once delete disjoint done jobs, log rows and ended stays, without waiting or deadlocking', async () => {
    const producer = await worker();
    const ids = await producer.enqueueJobs(
      Array.from({ length: 4_000 }, (_, n) => ({ kind: 'lock', propertyId: 'P1', payload: { n } })),
      T0,
    );
    await producer.claimJobs({ owner: 'w', limit: 4_000, leaseMs: LEASE_MS, now: T0 });
    await producer.transaction(async (tx) => {
      for (const id of ids) await tx.completeJob(id, 'w', T0);
    });
    await producer.appendWriteBackLogs(
      Array.from({ length: 4_000 }, (_, n) => ({
        propertyId: 'P1',
        bookingId: `B${n}`,
        action: 'upsert' as const,
        at: T0,
        ok: true,
        detail: 'code ****1',
        ref: null,
        error: null,
      })),
    );
    await producer.upsertBookings(
      Array.from({ length: 400 }, (_, n) =>
        makeBooking({ bookingId: `E${n}`, arrivalDate: '2026-01-01', departureDate: '2026-01-03' }),
      ),
      T0,
    );
    const workers = await Promise.all([1, 2, 3, 4].map(() => worker()));
    // Each takes a batch of 1,000: with skipped locks the four batches are disjoint.
    const jobs = await Promise.all(workers.map((w) => w.pruneJobs({ finishedBefore: at(1), limit: 1_000 })));
    const logs = await Promise.all(workers.map((w) => w.pruneLogs({ before: at(1), limit: 1_000 })));
    expect(jobs.reduce((a, b) => a + b, 0)).toBe(4_000);
    expect(logs.reduce((a, b) => a + b, 0)).toBe(4_000);
    const stays = await Promise.all(
      workers.map((w) => w.pruneEndedBookings('P1', { departedBefore: '2026-02-01', limit: 100 })),
    );
    expect(stays.reduce((a, b) => a + b, 0)).toBe(400);
    expect(await producer.listBookings('P1')).toEqual([]);
    expect((await producer.countJobs()).done).toBe(0);
    expect(await producer.listWriteBackLogs()).toEqual([]);
  });

  it('upserts 10,000 bookings in one call and round-trips instants exactly (bigint comes back as text)', async () => {
    const store = await worker();
    const bookings = Array.from({ length: 10_000 }, (_, i) =>
      makeBooking({ bookingId: `B${i}`, checkInAt: new Date(Date.UTC(2026, 4, 1, 13, 0, 0, i % 1000)) }),
    );
    const started = performance.now();
    await store.upsertBookings(bookings, T0);
    await store.upsertBookings(bookings, at(1));
    console.info(
      `upsertBookings(10,000) twice on PostgreSQL: ${(performance.now() - started).toFixed(0)} ms`,
    );
    const stored = await store.listBookings('P1');
    expect(stored).toHaveLength(10_000);
    const b999 = stored.find((b) => b.bookingId === 'B999');
    expect(b999?.checkInAt?.toISOString()).toBe('2026-05-01T13:00:00.999Z');
    expect(b999?.updatedAt.getTime()).toBe(at(1).getTime());
    const early = new Date('1969-12-31T23:59:59.999Z');
    await store.upsertBookings([makeBooking({ bookingId: 'old', checkInAt: early })], early);
    expect((await store.getBooking('P1', 'old'))?.checkInAt?.getTime()).toBe(early.getTime());
  });
});
