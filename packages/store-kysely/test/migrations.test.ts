import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BRAFA_TABLES,
  type BrafaDatabase,
  brafaMigrations,
  createKyselyStore,
  createMigrator,
  MIGRATION_TABLE,
  migrateToLatest,
  openKysely,
  type SqlDialect,
} from '../src/index.js';
import { bundleFixture, runChild } from './support/child-process.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from './support/databases.js';
import { databaseUrl } from './support/pg-stores.js';
import { describePostgres, postgresUrl } from './support/pg-suite.js';
import { dumpSchema } from './support/schema-dump.js';

const migrationNames = Object.keys(brafaMigrations);

function migrationSuite(dialect: SqlDialect, newDatabase: () => Promise<Kysely<BrafaDatabase>>) {
  const open: Kysely<BrafaDatabase>[] = [];
  const fresh = async () => {
    const db = await newDatabase();
    open.push(db);
    return db;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.destroy()));
  });

  it('creates every table, recording versions in its own migration table', async () => {
    const db = await fresh();
    expect(await migrateToLatest(db)).toEqual({ applied: migrationNames });
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    for (const table of [...BRAFA_TABLES, MIGRATION_TABLE]) expect(tables).toContain(table);
    // An application's own Kysely migrations (default table names) are left alone.
    expect(tables).not.toContain('kysely_migration');
  });

  it('running the migrations again is a no-op that keeps the data', async () => {
    const db = await fresh();
    await migrateToLatest(db);
    await db.insertInto('checkpoints').values({ key: 'k', value: 'v' }).execute();
    const before = await dumpSchema(db, dialect);
    expect(await migrateToLatest(db)).toEqual({ applied: [] });
    expect(await migrateToLatest(db)).toEqual({ applied: [] });
    expect(await dumpSchema(db, dialect)).toEqual(before);
    expect(await db.selectFrom('checkpoints').selectAll().execute()).toEqual([{ key: 'k', value: 'v' }]);
  });

  it('a database upgraded one version at a time ends identical to a fresh one', async () => {
    const direct = await fresh();
    await migrateToLatest(direct);

    const stepped = await fresh();
    const migrator = createMigrator(stepped);
    const steps: string[] = [];
    for (;;) {
      const { error, results } = await migrator.migrateUp();
      expect(error).toBeUndefined();
      if (!results || results.length === 0) break;
      steps.push(...results.map((r) => r.migrationName));
      // Between versions the schema is usable as it stands: every step commits on its own.
      expect((await migrator.getMigrations()).filter((m) => m.executedAt).length).toBe(steps.length);
    }
    expect(steps).toEqual(migrationNames);
    expect(await dumpSchema(stepped, dialect)).toEqual(await dumpSchema(direct, dialect));
    expect(await migrateToLatest(stepped)).toEqual({ applied: [] });
  });

  it('0006 folds jobs that share a dedupe key (possible before it) into the oldest one', async () => {
    const db = await fresh();
    const migrator = createMigrator(db);
    expect((await migrator.migrateTo('0005_leases')).error).toBeUndefined();
    const job = (id: number, key: string | null, status: string, runAfter: number) => ({
      id,
      kind: 'lock',
      property_id: 'P1',
      payload: '{}',
      status,
      run_after: runAfter,
      dedupe_key: key,
      attempts: status === 'running' ? 1 : 0,
      lease_owner: status === 'running' ? 'w1' : null,
      lease_expires_at: status === 'running' ? 9_000 : null,
      created_at: 1,
      updated_at: 1,
    });
    await db
      .insertInto('jobs')
      .values([
        job(1, 'lock:a', 'running', 100), // running, with a newer queued twin: runs once more
        job(2, 'lock:a', 'queued', 50),
        job(3, 'lock:b', 'queued', 300), // two queued: the older is kept, due at the earlier time
        job(4, 'lock:b', 'queued', 200),
        job(5, 'lock:b', 'done', 10), // finished jobs are history, left alone
        job(6, 'lock:c', 'queued', 70),
        job(7, null, 'queued', 80),
        job(8, null, 'queued', 90),
      ] as never)
      .execute();
    expect((await migrator.migrateTo('0006_job_reruns')).error).toBeUndefined();
    const rows = await db
      .selectFrom('jobs')
      .select(['id', 'status', 'run_after', 'rerun_after', 'last_error'])
      .orderBy('id')
      .execute();
    expect(
      rows.map((r) => [
        Number(r.id),
        r.status,
        Number(r.run_after),
        r.rerun_after === null ? null : Number(r.rerun_after),
        r.last_error,
      ]),
    ).toEqual([
      [1, 'running', 100, 50, null],
      [2, 'done', 50, null, 'merged into job 1 (same dedupe key)'],
      [3, 'queued', 200, null, null],
      [4, 'done', 200, null, 'merged into job 3 (same dedupe key)'],
      [5, 'done', 10, null, null],
      [6, 'queued', 70, null, null],
      [7, 'queued', 80, null, null],
      [8, 'queued', 90, null, null],
    ]);
    // From now on the database itself refuses a second active job for a key.
    await expect(
      db
        .insertInto('jobs')
        .values(job(9, 'lock:c', 'queued', 1) as never)
        .execute(),
    ).rejects.toThrow();
  });

  it('0007 gives jobs queued before it priority 0, ahead of new lock jobs, and claims by priority', async () => {
    const db = await fresh();
    const migrator = createMigrator(db);
    expect((await migrator.migrateTo('0006_job_reruns')).error).toBeUndefined();
    await db
      .insertInto('jobs')
      .values({
        kind: 'lock',
        property_id: 'P1',
        payload: '{"codeId":"old"}',
        status: 'queued',
        run_after: 500,
        dedupe_key: 'lock:old',
        attempts: 0,
        created_at: 1,
        updated_at: 1,
      } as never)
      .execute();
    expect(await migrateToLatest(db)).toEqual({ applied: ['0007_job_priority', '0008_job_status_indexes'] });
    const store = createKyselyStore(db);
    await store.enqueueJobs(
      [
        { kind: 'lock', propertyId: 'P1', payload: { codeId: 'next-week' }, priority: 29_500_000 },
        { kind: 'lock', propertyId: 'P1', payload: { codeId: 'today' }, priority: 29_400_000 },
      ],
      new Date(100),
    );
    const claimed = await store.claimJobs({ owner: 'w', limit: 10, leaseMs: 1000, now: new Date(1000) });
    expect(claimed.map((j) => [j.payload.codeId, j.priority])).toEqual([
      ['old', 0],
      ['today', 29_400_000],
      ['next-week', 29_500_000],
    ]);
  });

  it('0008 keeps every job and its status: the queue claims, counts, lists and prunes them as before', async () => {
    const db = await fresh();
    expect((await createMigrator(db).migrateTo('0007_job_priority')).error).toBeUndefined();
    const row = (n: number, status: string, extra: Record<string, unknown> = {}) => ({
      kind: 'lock',
      property_id: n % 2 ? 'P1' : 'P2',
      payload: `{"n":${n}}`,
      status,
      run_after: 500,
      dedupe_key: `lock:${n}`,
      attempts: 1,
      priority: n,
      created_at: 1,
      updated_at: 10,
      ...extra,
    });
    await db
      .insertInto('jobs')
      .values([
        row(1, 'queued'),
        row(2, 'queued', { run_after: 5_000 }),
        row(3, 'running', { lease_owner: 'gone', lease_expires_at: 900 }),
        row(4, 'running', { lease_owner: 'alive', lease_expires_at: 9_000 }),
        row(5, 'done', { dedupe_key: null }),
        row(6, 'dead', { dedupe_key: null, last_error: 'no such lock' }),
      ] as never)
      .execute();
    expect(await migrateToLatest(db)).toEqual({ applied: ['0008_job_status_indexes'] });
    const store = createKyselyStore(db);
    expect(await store.countJobs()).toEqual({ queued: 2, running: 2, done: 1, dead: 1 });
    expect(await store.countJobs({ propertyId: 'P1' })).toEqual({ queued: 1, running: 1, done: 1, dead: 0 });
    expect((await store.listJobs({ status: 'dead' })).map((j) => j.lastError)).toEqual(['no such lock']);
    // Due, then the expired lease; not the job due later, nor the live lease.
    const claimed = await store.claimJobs({ owner: 'w', limit: 10, leaseMs: 1000, now: new Date(1000) });
    expect(claimed.map((j) => j.payload.n)).toEqual([1, 3]);
    expect(
      await store.claimJobs({ owner: 'w', limit: 10, leaseMs: 1000, now: new Date(1000), propertyId: 'P2' }),
    ).toEqual([]);
    // A key stays unique among active jobs: enqueueing it again joins the queued job.
    const [again] = await store.enqueueJobs(
      [{ kind: 'lock', propertyId: 'P2', payload: {}, dedupeKey: 'lock:2' }],
      new Date(1000),
    );
    expect(again).toBe(String((await store.listJobs({ status: 'queued' }))[0]?.id));
    expect(await store.pruneJobs({ finishedBefore: new Date(11), limit: 10 })).toBe(1);
    expect(await store.countJobs()).toEqual({ queued: 1, running: 3, done: 0, dead: 1 });
  });

  it('refuses to run on a database whose history has a migration this version does not know', async () => {
    const db = await fresh();
    await migrateToLatest(db);
    await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values ('9999_from_the_future', '2099-01-01T00:00:00Z')`.execute(
      db,
    );
    await expect(migrateToLatest(db)).rejects.toThrow(/brafa migration/);
  });
}

describe('migrations: SQLite', () => {
  migrationSuite('sqlite', () => openKysely('sqlite::memory:'));
});

/** Every worker migrates at start-up: several doing it at once must end with one clean schema. */
async function concurrentMigrations(url: string) {
  // In one process: fine for PostgreSQL, whose driver is asynchronous.
  const instances = await Promise.all([1, 2, 3, 4].map(() => openKysely(url, { poolSize: 2 })));
  try {
    const results = await Promise.all(instances.map((db) => migrateToLatest(db)));
    expect(results.flatMap((r) => r.applied).sort()).toEqual([...migrationNames].sort());
    expect(await migrateToLatest(instances[0]!)).toEqual({ applied: [] });
  } finally {
    await Promise.all(instances.map((db) => db.destroy()));
  }
}

describe('migrations: several SQLite processes migrating one file at once', () => {
  let script: string;
  const dir = mkdtempSync(join(tmpdir(), 'brafa-mig-'));
  beforeAll(async () => {
    script = await bundleFixture('migrate-child');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each migration is applied exactly once, and every process ends up migrated', async () => {
    // Separate processes: better-sqlite3 blocks its process while waiting for a lock, so
    // in-process connections cannot stand in for workers here.
    const url = `sqlite:${join(dir, 'shared.db')}`;
    const children = [1, 2, 3, 4].map(() => runChild(script, [url]));
    try {
      const results = (await Promise.all(children.map((c) => c.firstLine))) as { applied: string[] }[];
      expect(results.flatMap((r) => r.applied).sort()).toEqual([...migrationNames].sort());
    } finally {
      await Promise.all(children.map((c) => c.kill()));
    }
    const db = await openKysely(url);
    expect(await migrateToLatest(db)).toEqual({ applied: [] });
    await db.destroy();
  });
});

const adminUrl = postgresUrl('migrations');
describePostgres('migrations: PostgreSQL', adminUrl, (admin) => {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((name) => dropDatabase(admin, name)));
  });
  it('several workers migrating one database at once', async () => {
    const name = uniqueDatabaseName('brafa_mig');
    await createDatabase(admin, name);
    created.push(name);
    await concurrentMigrations(databaseUrl(admin, name));
  });

  migrationSuite('postgres', async () => {
    const name = uniqueDatabaseName('brafa_mig');
    await createDatabase(admin, name);
    created.push(name);
    return openKysely(databaseUrl(admin, name), { poolSize: 2 });
  });
});
