// biome-ignore-all lint/suspicious/noExplicitAny: Kysely's Migrator works on an untyped Kysely
import type { Kysely } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import { configuration } from './0001-configuration.js';
import { bookingsAndCodes } from './0002-bookings.js';
import { jobs } from './0003-jobs.js';
import { auditAndCheckpoints } from './0004-audit.js';

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
 * Brings the schema to the latest version; a no-op when it is already there. Safe to call
 * from several processes at once (Kysely's Migrator takes a lock). Throws on failure.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<{ applied: string[] }> {
  return unwrap(await createMigrator(db.withoutPlugins()).migrateToLatest());
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
