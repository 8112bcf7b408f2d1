import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BRAFA_TABLES,
  type BrafaDatabase,
  brafaMigrations,
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
