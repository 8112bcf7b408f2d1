import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Booking, ValidationError } from '@brafa/core';
import { makeAccessCode, makeBooking } from '@brafa/core/testing';
import { CamelCasePlugin, Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BrafaDatabase,
  createKyselyStore,
  createSqliteDialect,
  migrateToLatest,
  openKysely,
  openStore,
} from '../src/index.js';
import { sqlitePath } from '../src/open-store.js';
import { spyDatabase } from './support/sqlite-spy.js';

const T0 = new Date('2026-04-01T10:00:00Z');

async function spiedStore(maxParameters?: number) {
  const spy = spyDatabase();
  const db = new Kysely<BrafaDatabase>({ dialect: createSqliteDialect(spy.database) });
  await migrateToLatest(db);
  const store = createKyselyStore(db, maxParameters ? { maxParameters } : {});
  spy.executed.length = 0;
  spy.prepared.length = 0;
  return { spy, db, store };
}

const many = (n: number): Booking[] =>
  Array.from({ length: n }, (_, i) => makeBooking({ bookingId: `B${i}` }));

describe('SQLite: batches', () => {
  it.each([undefined, 999])(
    'upserts 10,000 bookings in ONE transaction, in statements of fixed sizes below the bind limit (maxParameters %s)',
    async (maxParameters) => {
      const { spy, db, store } = await spiedStore(maxParameters);
      const started = performance.now();
      await store.upsertBookings(many(10_000), T0);
      const elapsed = performance.now() - started;
      const sqls = spy.executed.map((e) => e.sql.toLowerCase());
      expect(sqls.filter((s) => s.startsWith('begin'))).toEqual(['begin immediate']);
      expect(sqls.filter((s) => s === 'commit')).toHaveLength(1);
      expect(sqls[0]).toBe('begin immediate');
      expect(sqls.at(-1)).toBe('commit');
      const inserts = spy.executed.filter((e) => e.sql.startsWith('insert into "bookings"'));
      const limit = maxParameters ?? 32_766;
      // 15 columns: 128 rows a statement (64 under a limit of 999), then the rest (16 rows).
      const rowsEach = limit === 999 ? 64 : 128;
      expect(inserts.map((i) => i.parameters / 15)).toEqual([
        ...Array.from({ length: Math.floor(10_000 / rowsEach) }, () => rowsEach),
        16,
      ]);
      for (const insert of inserts) expect(insert.parameters).toBeLessThanOrEqual(limit);
      // Two shapes of SQL, each prepared once however many statements ran.
      expect(spy.prepared.filter((sql) => sql.startsWith('insert into "bookings"'))).toHaveLength(2);
      expect(await store.listBookings('P1')).toHaveLength(10_000);
      // Measured, not asserted (timings vary by machine).
      console.info(
        `upsertBookings(10,000) on SQLite, maxParameters=${limit}: ${elapsed.toFixed(0)} ms, ${inserts.length} statements`,
      );
      await db.destroy();
    },
  );

  it('a batch that fails in its last chunk leaves nothing behind', async () => {
    const { db, store } = await spiedStore(300);
    const bad = { ...makeBooking({ bookingId: 'Z-last' }), status: 'bogus' } as unknown as Booking;
    await expect(store.upsertBookings([...many(100), bad], T0)).rejects.toThrow(/CHECK constraint/);
    expect(await store.listBookings('P1')).toEqual([]);
    await db.destroy();
  });

  it('reuses prepared statements instead of compiling the same SQL again', async () => {
    const { spy, db, store } = await spiedStore();
    await store.setCheckpoint('a', '1');
    for (let i = 0; i < 5; i++) expect(await store.getCheckpoint('a')).toBe('1');
    const selects = spy.prepared.filter((s) => s.startsWith('select "value" from "checkpoints"'));
    expect(selects).toHaveLength(1);
    expect(spy.executed.filter((e) => e.sql.startsWith('select "value" from "checkpoints"'))).toHaveLength(5);
    await db.destroy();
  });
});

describe('SQLite: codes read by id', () => {
  it('reads any number of ids with five prepared statements, each row once', async () => {
    const { spy, store } = await spiedStore();
    const codes = Array.from({ length: 300 }, (_, i) => makeAccessCode({ bookingId: `B${i}` }));
    await store.saveAccessCodes(codes);
    await store.updateAccessCode(codes[7]!.id, { state: 'revoked' });
    spy.prepared.length = 0;
    for (let n = 1; n <= 300; n += 1) {
      const ids = codes.slice(0, n).map((c) => c.id);
      const found = await store.listAccessCodes({ ids: [...ids].reverse(), includeRevoked: true });
      expect(found.map((c) => c.id)).toEqual([...ids].sort());
      const live = await store.listAccessCodes({ ids: [...ids, ids[0]!] });
      expect(live).toHaveLength(n > 7 ? n - 1 : n);
    }
    const reads = spy.prepared.filter((sql) => sql.startsWith('select * from "access_codes"'));
    // Lengths 1, 4, 16, 64, 256, with and without revoked codes.
    expect(reads).toHaveLength(10);
    await store.close();
  });
});

describe('SQLite: tuning and URLs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brafa-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is one process's store: engines on it need no lock leases by default", async () => {
    const store = await openStore(`sqlite:${join(dir, 'alone.db')}`);
    expect(store.sharedByWorkers).toBe(false);
    await store.close();
  });

  it('opens a file database in WAL mode with a busy timeout and foreign keys on', async () => {
    const db = await openKysely(`sqlite:${join(dir, 'tuned.db')}`);
    const pragma = async (name: string) =>
      Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db)).rows[0] ?? {})[0];
    expect(await pragma('journal_mode')).toBe('wal');
    // The wait for another writer is asynchronous (see the next test), not SQLite's sleeping handler.
    expect(await pragma('busy_timeout')).toBe(0);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('synchronous')).toBe(1); // NORMAL: the WAL is synced at checkpoints
    // SQLite's own 2,000 KiB page cache, not better-sqlite3's 16,000 (resident memory).
    expect(await pragma('cache_size')).toBe(-2000);
    // The log is checkpointed every 10,000 pages, not SQLite's 1,000; temp data stays in memory.
    expect(await pragma('wal_autocheckpoint')).toBe(10_000);
    expect(await pragma('temp_store')).toBe(2); // MEMORY
    await db.destroy();
    const strict = await openKysely(`sqlite:${join(dir, 'strict.db')}`, { synchronous: 'full' });
    expect(
      Object.values(
        (await sql.raw<Record<string, unknown>>('pragma synchronous').execute(strict)).rows[0] ?? {},
      )[0],
    ).toBe(2);
    await strict.destroy();
  });

  it('takes the page cache size in KiB and refuses one that is not a positive whole number', async () => {
    const db = await openKysely(`sqlite:${join(dir, 'cache.db')}`, { cacheSizeKb: 8000 });
    const { rows } = await sql.raw<Record<string, unknown>>('pragma cache_size').execute(db);
    expect(Object.values(rows[0] ?? {})[0]).toBe(-8000);
    await db.destroy();
    for (const cacheSizeKb of [0, -5, 1.5, Number.NaN]) {
      await expect(openKysely(`sqlite:${join(dir, 'cache.db')}`, { cacheSizeKb })).rejects.toThrow(
        /store\.cacheSizeKb.*positive whole number/,
      );
    }
  });

  it('takes the log size between checkpoints in pages and refuses one that is not a positive whole number', async () => {
    const db = await openKysely(`sqlite:${join(dir, 'wal.db')}`, { walAutocheckpointPages: 2500 });
    const { rows } = await sql.raw<Record<string, unknown>>('pragma wal_autocheckpoint').execute(db);
    expect(Object.values(rows[0] ?? {})[0]).toBe(2500);
    await db.destroy();
    for (const walAutocheckpointPages of [0, -5, 1.5, Number.NaN]) {
      await expect(openKysely(`sqlite:${join(dir, 'wal.db')}`, { walAutocheckpointPages })).rejects.toThrow(
        /store\.walAutocheckpointPages.*positive whole number/,
      );
    }
  });

  it('gives a transaction the connection to itself; queries issued meanwhile run after it, in order', async () => {
    const db = await openKysely(`sqlite:${join(dir, 'exclusive.db')}`);
    await sql`create table t (n integer)`.execute(db);
    const seen: string[] = [];
    const inside = db.transaction().execute(async (trx) => {
      await sql`insert into t (n) values (1)`.execute(trx);
      // The transaction yields to the event loop while it holds the connection.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await sql`insert into t (n) values (2)`.execute(trx);
      seen.push('commit');
    });
    await new Promise((resolve) => setImmediate(resolve));
    const outside = Array.from({ length: 5 }, (_, i) =>
      sql<{ c: number }>`select count(*) as c from t`.execute(db).then(({ rows }) => {
        seen.push(`read ${i}: ${rows[0]?.c}`);
      }),
    );
    await Promise.all([inside, ...outside]);
    // Never a half-done transaction (count 1), and the waiting reads in the order they came.
    expect(seen).toEqual(['commit', 'read 0: 2', 'read 1: 2', 'read 2: 2', 'read 3: 2', 'read 4: 2']);
    await db.destroy();
  });

  it('waits for another connection’s write lock without blocking the event loop, up to the busy timeout', async () => {
    const file = join(dir, 'busy.db');
    const store = await openStore(`sqlite:${file}`, { busyTimeoutMs: 150 });
    const { default: Database } = await import('better-sqlite3');
    const other = new Database(file);
    try {
      // Another writer (a worker thread, another process) holds the lock for 60 ms.
      other.exec('begin immediate');
      setTimeout(() => other.exec('commit'), 60);
      const ticks: number[] = [];
      const ticker = setInterval(() => ticks.push(Date.now()), 5);
      const started = Date.now();
      await store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], new Date());
      clearInterval(ticker);
      expect(Date.now() - started).toBeGreaterThanOrEqual(50);
      // The timer kept firing while the enqueue waited: nothing froze the loop.
      expect(ticks.length).toBeGreaterThanOrEqual(5);
      expect((await store.countJobs()).queued).toBe(1);

      // Held longer than the busy timeout: the statement fails with SQLITE_BUSY, nothing written.
      other.exec('begin immediate');
      const release = setTimeout(() => other.exec('commit'), 400);
      await expect(
        store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], new Date()),
      ).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
      await new Promise((r) => setTimeout(r, 450));
      clearTimeout(release);
      expect((await store.countJobs()).queued).toBe(1);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('understands sqlite: URLs and rejects others without echoing them', async () => {
    expect(sqlitePath('sqlite::memory:')).toBe(':memory:');
    expect(sqlitePath('sqlite:./brafa.db')).toBe('./brafa.db');
    expect(sqlitePath('sqlite:///var/lib/brafa.db')).toBe('/var/lib/brafa.db');
    const attempt = openStore('mysql://admin:hunter2secret@db/brafa');
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.not.toThrow(/hunter2secret/);
  });

  it('persists across reopening a file', async () => {
    const url = `sqlite:${join(dir, 'reopen.db')}`;
    const first = await openStore(url);
    const [id] = await first.enqueueJobs(
      [{ kind: 'lock', propertyId: 'P1', payload: { a: [1, 'x', null] } }],
      T0,
    );
    await first.close();
    const second = await openStore(url);
    expect(await second.getJob(id!)).toMatchObject({ status: 'queued', payload: { a: [1, 'x', null] } });
    await second.close();
  });
});

describe('SQLite: a Kysely instance the caller owns', () => {
  it('ignores the caller’s plugins and leaves the instance open on close()', async () => {
    const db = new Kysely<BrafaDatabase>({
      dialect: createSqliteDialect(spyDatabase().database),
      plugins: [new CamelCasePlugin()],
    });
    await migrateToLatest(db);
    const store = createKyselyStore(db);
    await store.upsertBookings([makeBooking()], T0);
    expect(await store.getBooking('P1', 'B1')).toMatchObject({
      arrivalDate: '2026-05-01',
      passcodeAttempt: 0,
    });
    await store.close();
    expect(await store.getBooking('P1', 'B1')).toBeDefined();
    await db.destroy();
  });

  it('joins the caller’s transaction when given one', async () => {
    const db = await openKysely('sqlite::memory:');
    await migrateToLatest(db);
    await expect(
      db.transaction().execute(async (trx) => {
        const store = createKyselyStore(trx);
        await store.setCheckpoint('a', '1');
        await store.transaction((tx) => tx.upsertBookings([makeBooking()], T0));
        throw new Error('caller aborts');
      }),
    ).rejects.toThrow('caller aborts');
    const store = createKyselyStore(db);
    expect(await store.getCheckpoint('a')).toBeUndefined();
    expect(await store.getBooking('P1', 'B1')).toBeUndefined();
    await db.destroy();
  });
});

describe('SQLite: values and queue edge cases', () => {
  it('round-trips instants to the millisecond, including before 1970 and far ahead', async () => {
    const store = await openStore('sqlite::memory:');
    for (const instant of [
      '2026-05-01T13:00:00.123Z',
      '1969-12-31T23:59:59.999Z',
      '2199-12-31T23:59:59.001Z',
    ]) {
      const booking = makeBooking({ bookingId: instant, checkInAt: new Date(instant), checkOutAt: null });
      await store.upsertBookings([booking], new Date(instant));
      const stored = await store.getBooking('P1', instant);
      expect(stored?.checkInAt?.toISOString()).toBe(instant);
      expect(stored?.updatedAt.toISOString()).toBe(instant);
    }
    await store.close();
  });

  it('answers false / undefined for ids that cannot name a job', async () => {
    const store = await openStore('sqlite::memory:');
    expect(await store.getJob('not-a-number')).toBeUndefined();
    expect(await store.completeJob('1; drop table jobs', 'w', T0)).toBe(false);
    expect(await store.failJob('x', 'w', { error: 'e', retryAt: null }, T0)).toBe(false);
    await store.close();
  });
});

describe('SQLite: the queue reads each status through its own partial index', () => {
  /** SQLite's plan for every statement run by `act` that reads `jobs`, one line per statement. */
  async function plansOf(act: (store: Awaited<ReturnType<typeof spiedStore>>['store']) => Promise<unknown>) {
    const { spy, store } = await spiedStore();
    await store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], T0);
    spy.executed.length = 0;
    await act(store);
    const plans = spy.executed
      .filter((e) => /\bfrom "jobs"/i.test(e.sql))
      .map((e) => {
        const rows = spy.raw
          .prepare(`explain query plan ${e.sql}`)
          .all(...Array.from({ length: e.parameters }, () => null)) as Array<{ detail: string }>;
        return rows.map((r) => r.detail).join(' | ');
      });
    await store.close();
    return plans;
  }

  it('claims walk the queued and the running index, in claim order, without sorting', async () => {
    const plans = await plansOf((s) =>
      s.claimJobs({ owner: 'w', limit: 10, leaseMs: 1000, now: T0, kinds: ['lock'], propertyId: 'P1' }),
    );
    // Due jobs: the index in claim order, stopping after `limit` (no sort, not the property's
    // every job). Expired leases: a range of the (small) running index.
    expect(plans).toEqual([
      'SCAN jobs USING INDEX jobs_queued_idx',
      expect.stringMatching(/^SEARCH jobs USING INDEX jobs_running_idx \(lease_expires_at<\?\)/),
    ]);
  });

  it('counts read the partial indexes alone, lists and housekeeping use theirs', async () => {
    const counts = await plansOf((s) => s.countJobs());
    // One statement (the four counts agree), each count from its own index alone.
    expect(counts).toHaveLength(1);
    expect(counts[0]?.split(' | ').filter((step) => step.startsWith('SCAN jobs'))).toEqual(
      ['queued', 'running', 'done', 'dead'].map(
        (status) => `SCAN jobs USING COVERING INDEX jobs_${status}_idx`,
      ),
    );
    expect(await plansOf((s) => s.listJobs({ status: 'dead' }))).toEqual([
      expect.stringMatching(/^SCAN jobs USING INDEX jobs_dead_idx$/),
    ]);
    expect(await plansOf((s) => s.countJobs({ propertyId: 'P1' }))).toEqual([
      expect.stringMatching(/USING INDEX jobs_property_idx \(property_id=\?\)/),
    ]);
    const prune = await plansOf((s) => s.pruneJobs({ finishedBefore: T0, limit: 10 }));
    expect(prune.join(' ')).toContain('SCAN jobs USING INDEX jobs_done_idx');
  });

  it('refuses a job status it does not know, by name', async () => {
    const store = await openStore('sqlite::memory:');
    await expect(store.listJobs({ status: "done' or 1=1 --" as never })).rejects.toThrow(
      /status: unknown job status "done' or 1=1 --"/,
    );
    await store.close();
  });
});
