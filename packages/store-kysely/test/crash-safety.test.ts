import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, Store } from '@brafa/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { bundleFixture, type RunningChild, runChild } from './support/child-process.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from './support/databases.js';
import { databaseUrl } from './support/pg-stores.js';
import { describePostgres, postgresUrl } from './support/pg-suite.js';

const T0 = new Date('2026-04-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE_MS = 30_000;

let script: string;
beforeAll(async () => {
  script = await bundleFixture('claim-child');
});

/**
 * The same crash scenarios on each database: a worker *process* claims jobs and is killed
 * with SIGKILL (no cleanup code runs) before it completes them.
 */
function crashSuite(newUrl: () => Promise<string>, dispose: () => Promise<void>) {
  let store: Store;
  let url: string;
  let child: RunningChild | undefined;

  beforeAll(async () => {
    url = await newUrl();
  });
  afterEach(async () => {
    await child?.kill();
    await store?.close();
  });
  afterAll(dispose);

  const enqueueThree = async () => {
    store = await openStore(url);
    await store.enqueueJobs(
      [0, 1, 2].map((i) => ({ kind: 'lock', propertyId: `crash-${url.length}`, payload: { i } })),
      T0,
    );
    return (await store.listJobs({ status: 'queued' })).map((j) => j.id);
  };

  it('a worker killed after claiming: the jobs are reclaimed after the lease and completed, never lost', async () => {
    const ids = await enqueueThree();
    child = runChild(script, [url, 'claim', 'doomed', at(1).toISOString(), String(LEASE_MS)]);
    const { claimed } = (await child.firstLine) as { claimed: string[] };
    expect(claimed.sort()).toEqual([...ids].sort());
    await child.kill();

    // The claim was committed: the jobs are running under the dead worker's lease…
    for (const id of ids)
      expect(await store.getJob(id)).toMatchObject({ status: 'running', leaseOwner: 'doomed' });
    // …so nobody else may take them before the lease expires,
    expect(await store.claimJobs({ owner: 'survivor', limit: 10, leaseMs: LEASE_MS, now: at(30) })).toEqual(
      [],
    );
    // and everyone may after.
    const reclaimed = await store.claimJobs({ owner: 'survivor', limit: 10, leaseMs: LEASE_MS, now: at(31) });
    expect(reclaimed.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(reclaimed.every((j: Job) => j.attempts === 2 && j.leaseOwner === 'survivor')).toBe(true);
    for (const id of ids) {
      expect(await store.completeJob(id, 'doomed', at(32))).toBe(false);
      expect(await store.completeJob(id, 'survivor', at(32))).toBe(true);
    }
    expect((await store.countJobs()).done).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect((await store.getJob(id))?.status).toBe('done');
  });

  it('a worker killed inside its claiming transaction: the claim never happened, the jobs are claimable at once', async () => {
    const ids = await enqueueThree();
    const mine = new Set(ids);
    child = runChild(script, [url, 'claim-in-transaction', 'doomed', at(1).toISOString(), String(LEASE_MS)]);
    const { claimed } = (await child.firstLine) as { claimed: string[] };
    expect(claimed.filter((id) => mine.has(id)).sort()).toEqual([...ids].sort());
    await child.kill();

    // PostgreSQL aborts the dead connection's transaction when it notices the closed socket;
    // until then its row locks make SKIP LOCKED pass over the rows, so poll briefly.
    let again: Job[] = [];
    for (let i = 0; i < 100 && again.length === 0; i++) {
      again = (await store.claimJobs({ owner: 'survivor', limit: 10, leaseMs: LEASE_MS, now: at(2) })).filter(
        (j) => mine.has(j.id),
      );
      if (again.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(again.map((j) => j.id).sort()).toEqual([...ids].sort());
    // attempts 1: the rolled-back claim left no trace.
    expect(again.every((j) => j.attempts === 1)).toBe(true);
  });
}

describe('crash safety: SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brafa-crash-'));
  let n = 0;
  crashSuite(
    async () => `sqlite:${join(dir, `crash-${++n}.db`)}`,
    async () => rmSync(dir, { recursive: true, force: true }),
  );
});

const adminUrl = postgresUrl('crash-safety');
describePostgres('crash safety: PostgreSQL', adminUrl, (admin) => {
  const name = uniqueDatabaseName('brafa_crash');
  crashSuite(
    async () => {
      await createDatabase(admin, name);
      return databaseUrl(admin, name);
    },
    () => dropDatabase(admin, name),
  );
});
