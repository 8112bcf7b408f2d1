import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSandbox, startSandbox } from '@brafa/sandbox';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAccess } from '../src/access.mjs';
import { migrateApp, openAppDb, saveRoom } from '../src/app-db.mjs';

/**
 * BRAFA inside an app that has its own Kysely (better-sqlite3, CamelCasePlugin) and its own
 * table, against the sandbox server (fake MEWS + TTLock over loopback HTTP).
 */
describe('embedding the SDK in an app with its own Kysely', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brafa-embed-'));
  let running: RunningSandbox;
  const db = openAppDb(join(dir, 'app.db'));
  let access: Awaited<ReturnType<typeof attachAccess>>;
  let roomsBefore: unknown[];

  const rooms = () => db.selectFrom('rooms').selectAll().orderBy('number').execute();
  const codesOnLocks = () =>
    running.sandbox.scenario
      .locks('P1')
      .flatMap((l) => running.sandbox.inspect.lockCodes(l.lockId).filter((c) => c.onDevice));

  beforeAll(async () => {
    running = await startSandbox({
      scenario: {
        seed: 33,
        properties: [
          {
            id: 'P1',
            provider: 'mews',
            units: 4,
            reservations: { count: 8, withinDays: 20, cancelledRatio: 0 },
          },
        ],
      },
    });
    // The app existed before BRAFA: its table, its rows (one room without a lock).
    await migrateApp(db);
    for (const unit of running.sandbox.scenario.units('P1')) {
      await saveRoom(db, {
        number: unit.unitName,
        floor: 1,
        lockId: unit.lockId === null ? null : String(unit.lockId),
      });
    }
    await saveRoom(db, { number: '999', floor: 9, lockId: null });
    roomsBefore = await rooms();

    const creds = running.sandbox.credentials();
    access = await attachAccess(db, {
      secret: 'embed-test-passcode-secret',
      property: { id: 'P1', timezone: running.sandbox.scenario.property('P1').timezone },
      mews: {
        baseUrl: running.mewsUrl,
        clientToken: creds.mews.clientToken,
        accessToken: creds.mews.properties.P1!.accessToken,
        serviceId: creds.mews.properties.P1!.serviceId,
      },
      ttlock: { host: running.scienerUrl, ...creds.sciener },
    });
  });
  afterAll(async () => {
    await db.destroy();
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates BRAFA's tables next to the app's, leaving the app's table and rows alone", async () => {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
      db,
    );
    const names = tables.rows.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['rooms', 'bookings', 'access_codes', 'jobs', 'brafa_migration']),
    );
    expect(await rooms()).toEqual(roomsBefore);
  });

  it("maps the app's locks onto the units synced from MEWS", async () => {
    expect(await access.syncRoomsAndLocks()).toBe(4); // room 999 has no lock and is not in MEWS
    const assignments = await access.store.listLockAssignments('P1');
    expect(assignments.map((a) => a.unitName).sort()).toEqual(
      running.sandbox.scenario
        .units('P1')
        .map((u) => u.unitName)
        .sort(),
    );
  });

  it('engine.run() from app code puts the codes on the sandbox locks; status shows them', async () => {
    const run = await access.engine.run();
    expect(run.errors).toEqual([]);
    expect(run.dispatch.dead).toBe(0);
    const onLocks = codesOnLocks();
    expect(onLocks.length).toBeGreaterThan(3);

    const status = await access.engine.status('P1');
    expect(status.codes.active).toBe(onLocks.length);
    expect(status.codes.pending).toBe(0);
    expect(status.failures).toEqual([]);
    expect(status.bookings).toBeGreaterThan(3);
    // The guests' PINs reached MEWS too, and match the locks.
    const tokens = running.sandbox.inspect.mewsTokens({ propertyId: 'P1' });
    expect(tokens.map((t) => t.Value).sort()).toEqual(onLocks.map((c) => c.passcode).sort());
  });

  it("the app keeps using its own Kysely and table afterwards; BRAFA's store does not close it", async () => {
    await access.store.close();
    await saveRoom(db, { number: '998', floor: 9, lockId: null });
    await db.updateTable('rooms').set({ floor: 2 }).where('number', '=', '999').execute();
    const after = await rooms();
    expect(after).toHaveLength(roomsBefore.length + 1);
    expect(after.find((r) => r.number === '999')).toMatchObject({ floor: 2, lockId: null });
    // BRAFA's rows are still readable through the app's instance.
    const codes = await sql<{
      n: number;
    }>`select count(*) as n from access_codes where state = 'active'`.execute(db);
    expect(codes.rows[0]!.n).toBe(codesOnLocks().length);
  });
});
