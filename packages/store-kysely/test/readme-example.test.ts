import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@brafa/core';
import { MemoryLock, MemoryPms, makeProperty } from '@brafa/core/testing';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import {
  type BrafaDatabase,
  createKyselyStore,
  createSqliteDialect,
  migrateToLatest,
  openStore,
} from '../src/index.js';

// The README's examples, kept runnable: if this file breaks, the README is wrong.
const dir = mkdtempSync(join(tmpdir(), 'brafa-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('README: SQLite quick start — a booking gets a code on its lock, durably', async () => {
  const url = `sqlite:${join(dir, 'brafa.db')}`;
  const store = await openStore(url); // creates and migrates the file
  await store.upsertProperty(makeProperty({ id: 'P1', timezone: 'Europe/Prague' }));
  await store.replaceUnitMappings('P1', [
    {
      propertyId: 'P1',
      resourceId: 'res-101',
      resourceName: '101',
      roomId: 'R1',
      unitName: '101',
      primary: true,
    },
  ]);
  await store.replaceLockAssignments('P1', [
    { propertyId: 'P1', lockId: 'L101', scope: 'unit', roomId: 'R1', unitName: '101' },
  ]);

  const pms = new MemoryPms('P1', { timezone: 'Europe/Prague' });
  pms.setBookings([
    {
      propertyId: 'P1',
      bookingId: 'B1',
      resourceId: 'res-101',
      arrivalDate: '2099-05-01',
      departureDate: '2099-05-03',
      status: 'confirmed',
    },
  ]);
  const lock = new MemoryLock();
  const engine = createEngine({
    store,
    lock,
    providers: () => pms,
    passcode: { secret: 'a-long-secret-from-env' },
  });
  await engine.syncProperty('P1', {
    window: { start: new Date('2099-04-01T00:00:00Z'), end: new Date('2099-06-01T00:00:00Z') },
  });
  await engine.dispatch({ untilIdle: true });
  await store.close();

  // Everything survived in the file.
  const reopened = await openStore(url);
  const codes = await reopened.listAccessCodes({ propertyId: 'P1' });
  expect(codes).toHaveLength(1);
  expect(codes[0]).toMatchObject({ lockId: 'L101', state: 'active' });
  expect(lock.codesOn('L101')[0]?.passcode).toBe(codes[0]?.passcode);
  expect((await reopened.countJobs()).queued).toBe(0);
  await reopened.close();
});

it('README: bring your own Kysely', async () => {
  const db = new Kysely<BrafaDatabase>({
    dialect: createSqliteDialect(new Database(join(dir, 'app.db'))),
  });
  await migrateToLatest(db);
  const store = createKyselyStore(db);
  await store.setCheckpoint('hello', 'world');
  await store.close(); // does not destroy `db`: it is yours
  expect(await createKyselyStore(db).getCheckpoint('hello')).toBe('world');
  await db.destroy();
});
