import { applyConfig } from '@brafa/cli';
import { createPrng } from '@brafa/sandbox';
import { openStore } from '@brafa/store-kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../packages/store-kysely/test/support/postgres.js';
import { type ChildResult, parseJsonOutput, spawnBrafa } from './support/brafa-child.js';
import { diagnose } from './support/diagnose.js';
import { checkInvariants, expectedCodeCount, formatViolation } from './support/invariants.js';
import { type LockWrite, repeatedWrites, spyOnLockWrites } from './support/lock-writes.js';
import { mutate } from './support/mutations.js';
import { advanceQueueClock } from './support/queue.js';
import type { RunJson } from './support/status.js';
import { startWorld, tempDir, type World } from './support/world.js';

/**
 * Issue 9 §2: four `brafa` processes on one PostgreSQL database against one sandbox. Every
 * lock write is recorded by what it does; the same operation twice (beyond one resend per
 * lost reply) is a failure, and so is any code missing at the end.
 */
const SEED = Number(process.env.BRAFA_WORKERS_SEED ?? 77);
/**
 * Both sides are checked: lock operations, and the PMS write-back (one token per stay, now that
 * a property's write-back runs under a store lease across workers).
 */
const LOCKS = { locksOnly: false } as const;
const WORKERS = 4;

describe(`several workers on one PostgreSQL (seed ${SEED})`, () => {
  const tmp = tempDir('brafa-workers-');
  let server: PostgresServer;
  let world: World;
  let spy: ReturnType<typeof spyOnLockWrites>;

  beforeAll(async () => {
    const started = await startPostgres();
    if (!started.ok)
      throw new Error(
        `no PostgreSQL for the multi-worker suite: ${started.reason} (install the postgresql package)`,
      );
    server = started.server;
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE brafa_workers');
    await admin.end();
    world = await startWorld(
      {
        scenario: {
          seed: SEED,
          properties: [
            {
              id: 'P1',
              provider: 'mews',
              units: 40,
              entranceLock: true,
              reservations: { count: 170, withinDays: 26, maxNights: 4, cancelledRatio: 0.1 },
            },
            {
              id: 'B1',
              provider: 'beds24',
              units: 20,
              reservations: { count: 70, withinDays: 26, maxNights: 4 },
            },
          ],
        },
        beds24: { credits: { limit: 1_000_000 } },
        // A gateway operation holds its lock for a while, and one sent meanwhile fails with
        // -3037 as on TTLock: the entrance every stay opens is where four workers would meet.
        sciener: { gatewayMs: 20 },
      },
      tmp.dir,
      // A small concurrency per worker, so the four really share the queue.
      { database: server.urlFor('brafa_workers'), concurrency: 8 },
    );
    spy = spyOnLockWrites(world.running.sandbox);
  }, 120_000);
  afterAll(async () => {
    spy?.restore();
    await world?.close();
    await server?.stop();
    tmp.cleanup();
  });

  /** Four `brafa run` at once; every one must finish (exit 0, or 3 = some item failed and is listed). */
  async function fourWorkers(step: string): Promise<{ results: ChildResult[]; writes: LockWrite[] }> {
    const from = spy.writes.length;
    const children = Array.from({ length: WORKERS }, () => spawnBrafa(world.configFile, ['run', '--json']));
    const results = await Promise.all(children.map((c) => c.done));
    for (const [i, r] of results.entries())
      expect([0, 3], `${step}: worker ${i + 1} exit ${r.code}\n${r.stderr.slice(-3000)}`).toContain(r.code);
    return { results, writes: spy.writes.slice(from) };
  }

  const processedBy = (results: ChildResult[]) =>
    results.map((r) => parseJsonOutput<RunJson>(r).dispatch?.processed ?? 0);

  it('processes starting together apply the config without conflicts', async () => {
    // Every `brafa` start applies the config (replaces units, mappings, lock assignments).
    // Found here: on PostgreSQL two such replacements at once failed with a duplicate key.
    const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(world.database)));
    try {
      const rounds = Array.from({ length: 12 }, (_, i) => applyConfig(stores[i % 4]!, world.config));
      const outcomes = await Promise.allSettled(rounds);
      expect(
        outcomes
          .filter((o) => o.status === 'rejected')
          .map((o) => String((o as PromiseRejectedResult).reason)),
      ).toEqual([]);
      expect((await stores[0]!.listLockAssignments('P1')).length).toBe(
        world.config.properties[0]!.locks.length,
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('four workers provision every code once, and share the work', async () => {
    const { results, writes } = await fourWorkers('initial');
    expect(repeatedWrites(writes)).toEqual([]);
    expect(writes.filter((w) => w.errcode === -3007)).toEqual([]);
    // One operation per lock across the workers (store lock leases): no lock was ever busy.
    expect(writes.filter((w) => w.errcode === -3037)).toEqual([]);
    const now = new Date();
    const expected = expectedCodeCount(world.running.sandbox, { step: 'initial', now });
    expect(writes.filter((w) => w.op === 'add').length).toBe(expected.codes);
    const violations = checkInvariants(world.running.sandbox, { step: 'initial', now, ...LOCKS });
    if (violations.length) console.log(await diagnose(world.database, world.running.sandbox, violations));
    expect(violations.map(formatViolation)).toEqual([]);
    // More than one worker did lock work (the queue was shared, not run four times).
    expect(processedBy(results).filter((n) => n > 0).length).toBeGreaterThan(1);
    console.log(`workers: ${expected.codes} codes, jobs per worker ${processedBy(results).join('/')}`);
  });

  it('after PMS changes, each change and revoke is sent once', async () => {
    const prng = createPrng(SEED);
    mutate(
      world.running.sandbox.scenario,
      prng,
      { changeDates: 12, moveRoom: 8, cancel: 6, create: 6 },
      new Date(),
    );
    const { writes } = await fourWorkers('changes');
    expect(writes.some((w) => w.op === 'change')).toBe(true);
    expect(writes.some((w) => w.op === 'delete')).toBe(true);
    expect(repeatedWrites(writes)).toEqual([]);
    expect(writes.filter((w) => w.errcode === -3037)).toEqual([]);
    const violations = checkInvariants(world.running.sandbox, { step: 'changes', now: new Date(), ...LOCKS });
    if (violations.length) console.log(await diagnose(world.database, world.running.sandbox, violations));
    expect(violations.map(formatViolation)).toEqual([]);
  });

  it('with lost replies, an operation is resent only after a lost reply, and nothing is lost', async () => {
    const { sandbox } = world.running;
    const prng = createPrng(SEED + 1);
    mutate(sandbox.scenario, prng, { changeDates: 12, moveRoom: 8, cancel: 6, create: 10 }, new Date());
    sandbox.faults.set(
      ['add', 'change', 'delete'].map((op) => ({
        vendor: 'sciener' as const,
        endpoint: `/v3/keyboardPwd/${op}`,
        rates: { lostResponse: 0.15 },
        timeoutMs: 200,
      })),
    );
    const all: LockWrite[] = [];
    for (let round = 1; round <= 6; round++) {
      await advanceQueueClock(world.database);
      const { writes, results } = await fourWorkers(`lost replies, round ${round}`);
      all.push(...writes);
      if (round === 2) sandbox.faults.clear();
      const busy = results.some((r) =>
        parseJsonOutput<RunJson>(r).statuses.some((s) => s.jobs.queued + s.jobs.running > 0),
      );
      if (round > 2 && !busy) break;
    }
    // Under load the four may still hold retries at the end (a write-back that lost the
    // property's lease waits 2 s): one worker drains what is left before the checks.
    for (let i = 0; i < 3; i++) {
      await advanceQueueClock(world.database);
      const from = spy.writes.length;
      const drained = await spawnBrafa(world.configFile, ['run', '--json']).done;
      all.push(...spy.writes.slice(from));
      const left = parseJsonOutput<RunJson>(drained).statuses.some((s) => s.jobs.queued + s.jobs.running > 0);
      if (!left) break;
    }
    expect(all.some((w) => w.lost)).toBe(true);
    expect(repeatedWrites(all)).toEqual([]);
    const violations = checkInvariants(sandbox, { step: 'lost replies', now: new Date(), ...LOCKS });
    if (violations.length) console.log(await diagnose(world.database, sandbox, violations));
    expect(violations.map(formatViolation)).toEqual([]);
  });
});
