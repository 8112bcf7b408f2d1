import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import type { BookingPage, PmsProvider } from '../src/index.js';
import { ManualClock } from '../src/ports/clock.js';
import { MemoryLock, MemoryStore, makeBooking, makeProperty } from '../src/testing/index.js';
import { fetchOnlyProvider } from './support/fetch-only-provider.js';

const HOUR = 3_600_000;

/** A PMS whose one page holds a good stay and whatever malformed records `bad()` returns. */
function pmsWith(bad: () => BookingPage['quarantined']): PmsProvider {
  return fetchOnlyProvider('acme', async function* () {
    yield {
      bookings: [makeBooking({ bookingId: 'B1', arrivalDate: '2026-04-25', departureDate: '2026-04-27' })],
      quarantined: bad(),
    };
  });
}

describe('a malformed record met by every sync', () => {
  it('is logged once a day while unchanged, and again at once when it changes', async () => {
    const clock = new ManualClock('2026-04-20T10:00:00Z');
    const store = new MemoryStore();
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    let bad: BookingPage['quarantined'] = [
      { recordId: 'R1', reason: 'departure before arrival', raw: { id: 'R1', from: '2026-04-25' } },
      { recordId: null, reason: 'Id: missing', raw: {} },
    ];
    const engine = createEngine({
      store,
      lock: new MemoryLock(),
      providers: () => pmsWith(() => bad),
      passcode: { secret: 'quarantine-log-secret' },
      clock,
    });
    const recordIds = async () => (await store.listQuarantine({ propertyId: 'P1' })).map((q) => q.recordId);

    const first = await engine.syncProperty('P1');
    expect(first.quarantined).toBe(2);
    // Newest first.
    expect(await recordIds()).toEqual([null, 'R1']);
    // An hour later: R1 unchanged is not logged again; a record without an id always is.
    clock.advance(HOUR);
    expect((await engine.syncProperty('P1')).quarantined).toBe(2);
    expect(await recordIds()).toEqual([null, null, 'R1']);
    // Its payload changed: logged at once.
    bad = [{ recordId: 'R1', reason: 'departure before arrival', raw: { id: 'R1', from: '2026-04-26' } }];
    clock.advance(HOUR);
    await engine.syncProperty('P1');
    expect(await recordIds()).toEqual(['R1', null, null, 'R1']);
    // Unchanged a day after its last row: logged again, so it stays inside the log's retention.
    clock.advance(23 * HOUR);
    await engine.syncProperty('P1');
    expect(await recordIds()).toEqual(['R1', null, null, 'R1']);
    clock.advance(HOUR);
    await engine.syncProperty('P1');
    expect(await recordIds()).toEqual(['R1', 'R1', null, null, 'R1']);
    // The good stay was stored every time.
    expect(await store.getBooking('P1', 'B1')).toBeDefined();
  });
});
