// biome-ignore-all lint/suspicious/noExplicitAny: Kysely's Migrator works on an untyped Kysely
import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import { detectDialect } from '../dialect/detect.js';
import { configuration } from './0001-configuration.js';
import { bookingsAndCodes } from './0002-bookings.js';
import { jobs } from './0003-jobs.js';
import { auditAndCheckpoints } from './0004-audit.js';
import { leases } from './0005-leases.js';
import { jobReruns } from './0006-job-reruns.js';
import { jobPriority } from './0007-job-priority.js';
import { jobStatusIndexes } from './0008-job-status-indexes.js';

/**
 * Every schema version, in order. They live in code (not files on disk) so the built
 * package migrates without knowing where it was installed. Forward-only: a released
 * migration is never edited; changes are new entries appended here.
 */
export const brafaMigrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_configuration': configuration,
  '0002_bookings_and_access_codes': bookingsAndCodes,
  '0003_jobs': jobs,
  '0004_audit_and_checkpoints': auditAndCheckpoints,
  '0005_leases': leases,
  '0006_job_reruns': jobReruns,
  '0007_job_priority': jobPriority,
  '0008_job_status_indexes': jobStatusIndexes,
});

/**
 * Own bookkeeping tables, so an application that already uses Kysely's Migrator (with the
 * default `kysely_migration` table) can share the database without the histories colliding.
 */
export const MIGRATION_TABLE = 'brafa_migration';
export const MIGRATION_LOCK_TABLE = 'brafa_migration_lock';

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...brafaMigrations }) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/**
 * Brings the schema to the latest version; a no-op when it is already there. Throws on
 * failure, leaving the schema as it was. Safe to call from several processes at once:
 * - PostgreSQL: Kysely's Migrator takes an advisory lock and runs each migration in a transaction.
 * - SQLite: Kysely runs migrations without a transaction and without a lock (its adapter
 *   assumes a single connection), so two processes starting together would both apply 0001.
 *   Here the whole run happens inside one `BEGIN IMMEDIATE` transaction instead: it holds
 *   SQLite's single write lock (other processes wait on their busy timeout and then find the
 *   work done) and DDL is transactional in SQLite, so a failed run leaves nothing behind.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<{ applied: string[] }> {
  const plain = db.withoutPlugins();
  if (detectDialect(plain) !== 'sqlite' || plain.isTransaction) {
    return unwrap(await createMigrator(plain).migrateToLatest());
  }
  return plain.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: MigrationResultSet;
    try {
      result = await createMigrator(conn).migrateToLatest();
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
    await (result.error ? sql`rollback` : sql`commit`).execute(conn);
    return unwrap(result);
  });
}

export function unwrap(result: MigrationResultSet): { applied: string[] } {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`brafa migration ${failed ?? '(setup)'} failed: ${reason}`, { cause: result.error });
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
