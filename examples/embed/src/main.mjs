import { pathToFileURL } from 'node:url';
import { attachAccess } from './access.mjs';
import { migrateApp, openAppDb, saveRoom } from './app-db.mjs';

/** @param {NodeJS.ProcessEnv} env @param {string} name */
function required(env, name) {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/**
 * `node examples/embed/src/main.mjs` — one pass of "the app's nightly job": make sure the
 * app's rooms exist, sync door codes, print the status. See the README for the variables.
 */
export async function main(env = process.env) {
  const db = openAppDb(env.APP_DB ?? './app.db');
  try {
    await migrateApp(db);
    // ROOMS=101:1001,102:1002 stands in for the app's admin screen (room number : lock id).
    for (const entry of (env.ROOMS ?? '').split(',').filter(Boolean)) {
      const [number, lockId] = entry.split(':');
      await saveRoom(db, { number, floor: Number(number.slice(0, -2)) || 0, lockId: lockId || null });
    }

    const propertyId = env.PROPERTY_ID ?? 'hotel';
    const access = await attachAccess(db, {
      secret: required(env, 'BRAFA_SECRET'),
      property: { id: propertyId, timezone: env.PROPERTY_TIMEZONE ?? 'Europe/Prague' },
      mews: {
        baseUrl: env.MEWS_BASE_URL ?? 'https://api.mews-demo.com',
        clientToken: required(env, 'MEWS_CLIENT_TOKEN'),
        accessToken: required(env, 'MEWS_ACCESS_TOKEN'),
        ...(env.MEWS_SERVICE_ID ? { serviceId: env.MEWS_SERVICE_ID } : {}),
      },
      ttlock: {
        host: env.TTLOCK_BASE_URL ?? 'eu',
        clientId: required(env, 'TTLOCK_CLIENT_ID'),
        clientSecret: required(env, 'TTLOCK_CLIENT_SECRET'),
        username: required(env, 'TTLOCK_USERNAME'),
        password: required(env, 'TTLOCK_PASSWORD'),
      },
    });

    const locks = await access.syncRoomsAndLocks();
    const run = await access.engine.run();
    const status = await access.engine.status(propertyId);
    const rooms = await db
      .selectFrom('rooms')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    console.log(`app: ${rooms.n} rooms, ${locks} with a lock`);
    console.log(
      `brafa: ${status.bookings} bookings, codes active ${status.codes.active}, pending ${status.codes.pending}, ` +
        `failed ${status.codes.failed}; ${run.dispatch.processed} jobs run`,
    );
    for (const f of status.failures)
      console.log(`  failed: booking ${f.bookingId} on lock ${f.lockId}: ${f.reason}`);
    return run.errors.length || status.failures.length ? 3 : 0;
  } finally {
    await db.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
