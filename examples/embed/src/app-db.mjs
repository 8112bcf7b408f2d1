import Database from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect, sql } from 'kysely';

/**
 * Stands in for your application's existing database layer: its own Kysely instance (with
 * the plugins it likes) and its own tables. Nothing here knows about BRAFA.
 *
 * @param {string} file an SQLite file, or ':memory:'
 */
export function openAppDb(file) {
  return new Kysely({
    dialect: new SqliteDialect({ database: new Database(file) }),
    plugins: [new CamelCasePlugin()],
  });
}

/** The app's own schema: the hotel's rooms and the smart lock on each door. */
export async function migrateApp(db) {
  await db.schema
    .createTable('rooms')
    .ifNotExists()
    .addColumn('number', 'text', (c) => c.primaryKey())
    .addColumn('floor', 'integer', (c) => c.notNull())
    .addColumn('lock_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();
}

/**
 * What the app's admin screen does: save a room and its lock.
 *
 * @param {Kysely<any>} db
 * @param {{ number: string, floor: number, lockId: string | null }} room
 */
export async function saveRoom(db, room) {
  await db
    .insertInto('rooms')
    .values(room)
    .onConflict((oc) => oc.column('number').doUpdateSet({ floor: room.floor, lockId: room.lockId }))
    .execute();
}
