import { describe, expect, it, vi } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import { MemoryLock, MemoryPms, MemoryStore, makeProperty } from '../src/testing/index.js';

const DAY = 86_400_000;
const LOCKS = 40;

/** One stay per lock (so no job waits for another's lock), synced and planned, not dispatched. */
async function world(enabled = true) {
  const store = new MemoryStore();
  const pms = new MemoryPms('P1');
  const lock = new MemoryLock();
  await store.upsertProperty(makeProperty({ id: 'P1' }));
  await store.replaceLockAssignments(
    'P1',
    Array.from({ length: LOCKS }, (_, i) => ({
      propertyId: 'P1',
      lockId: `L${i}`,
      scope: 'unit' as const,
      roomId: 'R',
      unitName: String(i),
    })),
  );
  const soon = Date.now() + 2 * DAY;
  pms.setBookings(
    Array.from({ length: LOCKS }, (_, i) => ({
      propertyId: 'P1',
      bookingId: `B${i}`,
      roomId: 'R',
      unitName: String(i),
      arrivalDate: new Date(soon).toISOString().slice(0, 10),
      departureDate: new Date(soon + 2 * DAY).toISOString().slice(0, 10),
      status: 'confirmed' as const,
    })),
  );
  const engine = createEngine({
    store,
    lock,
    providers: () => pms,
    passcode: { secret: 'lock-job-starts-secret' },
    workerId: 'w1',
    concurrency: 64,
  });
  await engine.syncProperty('P1');
  if (!enabled) await store.upsertProperty(makeProperty({ id: 'P1', enabled: false }));
  return { store, lock, engine };
}

describe('lock jobs claimed together', () => {
  it('read their codes in one query and their property once, not two reads per job', async () => {
    const { store, lock, engine } = await world();
    const getAccessCode = vi.spyOn(store, 'getAccessCode');
    const getProperty = vi.spyOn(store, 'getProperty');
    const listAccessCodes = vi.spyOn(store, 'listAccessCodes');
    const result = await engine.dispatch({ propertyId: 'P1' });

    expect(result.dead).toBe(0);
    for (let i = 0; i < LOCKS; i++) expect(lock.codesOn(`L${i}`)).toHaveLength(1);
    // One claim took every lock job; none waited for its lock, so none read its row again.
    expect(getAccessCode).not.toHaveBeenCalled();
    const byId = listAccessCodes.mock.calls.filter(([q]) => q.ids !== undefined);
    expect(byId).toHaveLength(1);
    expect(byId[0]?.[0].ids).toHaveLength(LOCKS);
    // The batch's property once (the write-back job that follows reads it on its own).
    expect(getProperty.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('of a disabled property do nothing on the locks', async () => {
    const { lock, engine } = await world(false);
    const result = await engine.dispatch({ propertyId: 'P1' });
    expect(result.dead).toBe(0);
    for (let i = 0; i < LOCKS; i++) expect(lock.codesOn(`L${i}`)).toHaveLength(0);
  });

  it('still run when reading them together fails: each job reads its own rows', async () => {
    const { store, lock, engine } = await world();
    const listAccessCodes = store.listAccessCodes.bind(store);
    vi.spyOn(store, 'listAccessCodes').mockImplementation(async (query) => {
      if (query.ids) throw new Error('store hiccup');
      return listAccessCodes(query);
    });
    const getAccessCode = vi.spyOn(store, 'getAccessCode');
    const result = await engine.dispatch({ propertyId: 'P1' });
    expect(result.dead).toBe(0);
    expect(getAccessCode).toHaveBeenCalledTimes(LOCKS);
    for (let i = 0; i < LOCKS; i++) expect(lock.codesOn(`L${i}`)).toHaveLength(1);
  });
});
