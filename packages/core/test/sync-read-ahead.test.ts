import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import type { PmsProvider } from '../src/index.js';
import { ManualClock } from '../src/ports/clock.js';
import { MemoryLock, MemoryStore, makeBooking, makeProperty } from '../src/testing/index.js';
import { fetchOnlyProvider } from './support/fetch-only-provider.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A PMS of `count` pages of two stays each (page `failAt` fails; page `foreignAt` holds a
 * stay of another property, which the engine refuses to store). Logs what it is asked.
 */
function pagedPms(
  log: string[],
  count: number,
  opts: { failAt?: number; foreignAt?: number } = {},
): PmsProvider {
  return fetchOnlyProvider('paged', async function* () {
    try {
      for (let n = 1; n <= count; n++) {
        log.push(`fetch ${n}`);
        await tick();
        if (n === opts.failAt) throw new Error(`page ${n}: the PMS answered 500`);
        yield {
          bookings: [0, 1].map((i) =>
            makeBooking({
              propertyId: n === opts.foreignAt && i === 1 ? 'P2' : 'P1',
              bookingId: `B${n}-${i}`,
              arrivalDate: '2026-04-25',
              departureDate: '2026-04-27',
            }),
          ),
          quarantined: [],
        };
      }
    } finally {
      log.push('closed');
    }
  });
}

async function engineWith(provider: PmsProvider, log: string[]) {
  const store = new MemoryStore();
  await store.upsertProperty(makeProperty({ id: 'P1' }));
  await store.replaceLockAssignments('P1', [{ propertyId: 'P1', lockId: 'L1', scope: 'property' }]);
  const engine = createEngine({
    store,
    lock: new MemoryLock(),
    providers: () => provider,
    passcode: { secret: 'read-ahead-secret' },
    clock: new ManualClock('2026-04-20T00:00:00Z'),
    onEvent: (e) => {
      if (e.type === 'sync.page') log.push(`stored ${e.bookings}`);
    },
  });
  return { store, engine };
}

describe('a window sync reads the next page while it stores one', () => {
  it('asks the provider for the next page before the current one is stored', async () => {
    const log: string[] = [];
    const { store, engine } = await engineWith(pagedPms(log, 3), log);
    await engine.syncProperty('P1');
    expect(log).toEqual(['fetch 1', 'fetch 2', 'stored 2', 'fetch 3', 'stored 2', 'closed', 'stored 2']);
    expect(await store.listBookings('P1')).toHaveLength(6);
    expect(await store.listAccessCodes({ propertyId: 'P1' })).toHaveLength(6);
  });

  it('a page ahead that fails: the pages before it are stored, nothing is planned', async () => {
    const log: string[] = [];
    const { store, engine } = await engineWith(pagedPms(log, 3, { failAt: 2 }), log);
    await expect(engine.syncProperty('P1')).rejects.toThrow('page 2: the PMS answered 500');
    expect(log).toEqual(['fetch 1', 'fetch 2', 'stored 2', 'closed']);
    expect((await store.listBookings('P1')).map((b) => b.bookingId)).toEqual(['B1-0', 'B1-1']);
    expect(await store.listAccessCodes({ propertyId: 'P1' })).toEqual([]);
  });

  it('a page that cannot be stored: the walk stops after the one page ahead, and is closed', async () => {
    const log: string[] = [];
    const { store, engine } = await engineWith(pagedPms(log, 5, { foreignAt: 2 }), log);
    await expect(engine.syncProperty('P1')).rejects.toThrow('provider returned booking B2-1 of property P2');
    expect(log).toEqual(['fetch 1', 'fetch 2', 'stored 2', 'fetch 3', 'closed']);
    expect((await store.listBookings('P1')).map((b) => b.bookingId)).toEqual(['B1-0', 'B1-1']);
    expect(await store.listAccessCodes({ propertyId: 'P1' })).toEqual([]);
  });
});
