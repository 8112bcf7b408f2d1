import { createEngine, propertySchema } from '@brafa/core';
import { ScienerLock } from '@brafa/lock-sciener';
import { createMewsProvider } from '@brafa/provider-mews';
import { createKyselyStore, migrateToLatest } from '@brafa/store-kysely';

/**
 * @typedef {{
 *   secret: string,
 *   property: { id: string, timezone: string, checkInTime?: string, checkOutTime?: string },
 *   mews: { baseUrl: string, clientToken: string, accessToken: string, client?: string, serviceId?: string },
 *   ttlock: { host?: string, clientId: string, clientSecret: string, username: string, password: string },
 * }} AccessOptions
 */

/**
 * Adds door codes to an app that already has a Kysely database: BRAFA's tables are created
 * next to the app's own (its migrations are recorded in `brafa_migration`, not in Kysely's
 * default `kysely_migration`, so the app's own Migrator is not disturbed), and the store
 * runs on the app's instance. The app keeps ownership: `store.close()` does not close `db`.
 *
 * @param {import('kysely').Kysely<any>} db the app's Kysely instance (SQLite or PostgreSQL)
 * @param {AccessOptions} options
 */
export async function attachAccess(db, { secret, property, mews, ttlock }) {
  await migrateToLatest(db);
  const store = createKyselyStore(db);
  await store.upsertProperty(propertySchema.parse({ ...property, provider: 'mews' }));

  const pms = createMewsProvider({
    propertyId: property.id,
    timezone: property.timezone,
    ...mews,
    client: mews.client ?? 'My Hotel App 1.0.0',
  });
  const engine = createEngine({
    store,
    lock: new ScienerLock(ttlock),
    providers: (p) => (p.id === property.id ? pms : undefined),
    passcode: { secret },
  });

  /**
   * Rooms come from MEWS (resources → units); which lock is on which door comes from the
   * app's own `rooms` table. Call it after the app changes a room's lock.
   */
  async function syncRoomsAndLocks() {
    await engine.syncUnits(property.id);
    const units = await store.listUnits(property.id);
    const rooms = await db
      .selectFrom('rooms')
      .select(['number', 'lockId'])
      .where('lockId', 'is not', null)
      .execute();
    const assignments = rooms.flatMap((room) => {
      const unit = units.find((u) => u.unitName === room.number);
      return unit
        ? [
            {
              propertyId: property.id,
              lockId: room.lockId,
              scope: 'unit',
              roomId: unit.roomId,
              unitName: unit.unitName,
            },
          ]
        : [];
    });
    await store.replaceLockAssignments(property.id, assignments);
    return assignments.length;
  }

  return { engine, store, syncRoomsAndLocks };
}
