import { describe, expect, it } from 'vitest';
import { initialBookingState } from '../src/domain/schemas.js';
import { createEngine } from '../src/engine/engine.js';
import { desiredWriteBack } from '../src/engine/write-back.js';
import {
  MemoryLock,
  MemoryPms,
  MemoryStore,
  makeAccessCode,
  makeBooking,
  makeProperty,
} from '../src/testing/index.js';

const NOW = new Date('2026-04-01T00:00:00Z');
const written = { ...makeBooking(), ...initialBookingState(NOW), writeBackKey: 'k', writeBackRef: null };

describe('desiredWriteBack, once a stay has no code left', () => {
  it("deletes what was written, naming the digits its doors had last (a lost reply's token has no ref)", () => {
    const codes = [
      makeAccessCode({ lockId: 'L1', state: 'revoked', passcode: '111111', updatedAt: new Date(1_000) }),
      makeAccessCode({ lockId: 'L2', state: 'revoked', passcode: '583920', updatedAt: new Date(2_000) }),
    ];
    expect(desiredWriteBack(written, codes)).toEqual({ action: 'delete', passcode: '583920' });
  });

  it('deletes without digits when none are known, and writes nothing when nothing was written', () => {
    expect(desiredWriteBack(written, [])).toEqual({ action: 'delete', passcode: null });
    expect(desiredWriteBack({ ...written, writeBackKey: null }, [])).toEqual({ action: 'none' });
  });
});

describe('write-back of a stay that lost its room', () => {
  it("sends the delete with the digits its doors had (how MEWS finds a lost reply's token)", async () => {
    const store = new MemoryStore();
    const pms = new MemoryPms('P1');
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    await store.replaceLockAssignments('P1', [
      { propertyId: 'P1', lockId: 'L1', scope: 'unit', roomId: 'R1', unitName: '101' },
    ]);
    const arrival = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const departure = new Date(Date.now() + 4 * 86_400_000).toISOString().slice(0, 10);
    const stay = { propertyId: 'P1', bookingId: 'B1', arrivalDate: arrival, departureDate: departure };
    pms.setBookings([{ ...stay, roomId: 'R1', unitName: '101', status: 'confirmed' }]);
    const engine = createEngine({
      store,
      lock: new MemoryLock(),
      providers: () => pms,
      passcode: { secret: 'lost-room-write-back-secret' },
    });
    await engine.run({ propertyId: 'P1' });
    const [code] = await store.listAccessCodes({ propertyId: 'P1', bookingId: 'B1' });
    expect(code?.state).toBe('active');

    pms.setBookings([{ ...stay, roomId: null, unitName: null, status: 'confirmed' }]);
    pms.writes.length = 0;
    await engine.run({ propertyId: 'P1' });
    const deletes = pms.writes.flat().filter((i) => i.action === 'delete');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.passcode).toBe(code?.passcode);
  });
});
