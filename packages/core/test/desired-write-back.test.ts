import { describe, expect, it } from 'vitest';
import { initialBookingState } from '../src/domain/schemas.js';
import { desiredWriteBack } from '../src/engine/write-back.js';
import { makeAccessCode, makeBooking } from '../src/testing/index.js';

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
