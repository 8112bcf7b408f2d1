import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import { MemoryLock, MemoryPms, MemoryStore, makeProperty } from '../src/testing/index.js';
import { wrappedLock } from './support/wrapped-lock.js';

const DAY = 86_400_000;

describe('a shared entrance with a backlog', () => {
  it('does not hold the slots the rooms need: their doors do not wait for the entrance', async () => {
    const store = new MemoryStore();
    const pms = new MemoryPms('P1');
    const memory = new MemoryLock();
    const ROOMS = 24;
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    await store.replaceLockAssignments('P1', [
      { propertyId: 'P1', lockId: 'ENTRANCE', scope: 'property' },
      ...Array.from({ length: ROOMS }, (_, i) => ({
        propertyId: 'P1',
        lockId: `ROOM${i}`,
        scope: 'unit' as const,
        roomId: 'R',
        unitName: String(i),
      })),
    ]);
    // One stay per room, over the next two weeks: every stay needs the entrance and its room.
    const soon = Date.now() + 2 * DAY;
    pms.setBookings(
      Array.from({ length: ROOMS }, (_, i) => ({
        propertyId: 'P1',
        bookingId: `B${i}`,
        roomId: 'R',
        unitName: String(i),
        arrivalDate: new Date(soon + Math.floor(i / 2) * DAY).toISOString().slice(0, 10),
        departureDate: new Date(soon + (Math.floor(i / 2) + 2) * DAY).toISOString().slice(0, 10),
        status: 'confirmed' as const,
      })),
    );
    // Every gateway operation takes 10 ms; the order they finish in is what is checked.
    const finished: string[] = [];
    const lock = wrappedLock(memory, 'gateway', (write) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const answer = await write(args);
      finished.push(args.lockId);
      return answer;
    });
    const engine = createEngine({
      store,
      lock,
      providers: () => pms,
      passcode: { secret: 'shared-lock-backlog-secret' },
      workerId: 'w1',
      concurrency: 4,
    });
    await engine.syncProperty('P1');
    const result = await engine.dispatch({ propertyId: 'P1' });

    expect(result.dead).toBe(0);
    expect(memory.codesOn('ENTRANCE')).toHaveLength(ROOMS);
    for (let i = 0; i < ROOMS; i++) expect(memory.codesOn(`ROOM${i}`)).toHaveLength(1);
    // The entrance takes one operation at a time; with 4 permits, the rooms get 3 at a time
    // meanwhile, so the last room is done when the entrance has done about a third of its
    // work. Parked entrance jobs holding their permits let the rooms through at the
    // entrance's pace: the last room came within a few operations of the entrance's end.
    const lastRoom = finished.findLastIndex((lockId) => lockId !== 'ENTRANCE');
    const entranceBefore = finished.slice(0, lastRoom).filter((lockId) => lockId === 'ENTRANCE').length;
    expect(entranceBefore).toBeLessThanOrEqual(ROOMS / 2);
  });
});
