import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateCodeError } from '../errors/errors.js';
import type { LockCode, LockProvider } from '../ports/lock.js';

export interface LockConformanceOptions {
  /** A lock provider talking to a fresh fake backend with one empty lock. */
  create: () => Promise<{ lock: LockProvider; lockId: string; cleanup?: () => Promise<void> }>;
}

const FROM = new Date('2026-06-01T13:00:00Z');
const TO = new Date('2026-06-04T09:00:00Z');

async function collect(it: AsyncIterable<LockCode>): Promise<LockCode[]> {
  const out: LockCode[] = [];
  for await (const c of it) out.push(c);
  return out;
}

/** The behaviour every `LockProvider` must have, run against the adapter's fake backend. */
export function describeLockProviderConformance(name: string, options: LockConformanceOptions): void {
  describe(`LockProvider conformance: ${name}`, () => {
    let lock: LockProvider;
    let lockId: string;
    let cleanup: (() => Promise<void>) | undefined;
    beforeEach(async () => {
      ({ lock, lockId, cleanup } = await options.create());
    });
    afterEach(async () => {
      await cleanup?.();
    });

    it('adds a time-bound code that can then be found with its window', async () => {
      const { lockCodeId } = await lock.addCode({
        lockId,
        passcode: '583920',
        name: 'brafa:B1',
        validFrom: FROM,
        validTo: TO,
      });
      expect(lockCodeId).toEqual(expect.any(String));
      const found = await lock.findCode({ lockId, passcode: '583920' });
      expect(found).toMatchObject({ lockCodeId, passcode: '583920' });
      expect(found?.validFrom?.getTime()).toBe(FROM.getTime());
      expect(found?.validTo?.getTime()).toBe(TO.getTime());
      expect(await lock.findCode({ lockId, passcode: '999111' })).toBeUndefined();
    });

    it('refuses the same digits twice on one lock with DuplicateCodeError', async () => {
      await lock.addCode({ lockId, passcode: '583920', name: 'brafa:B1', validFrom: FROM, validTo: TO });
      await expect(
        lock.addCode({ lockId, passcode: '583920', name: 'brafa:B2', validFrom: FROM, validTo: TO }),
      ).rejects.toBeInstanceOf(DuplicateCodeError);
    });

    it('changes the window, and the digits when asked', async () => {
      const { lockCodeId } = await lock.addCode({
        lockId,
        passcode: '583920',
        name: 'brafa:B1',
        validFrom: FROM,
        validTo: TO,
      });
      const later = new Date(TO.getTime() + 86_400_000);
      await lock.changeCode({ lockId, lockCodeId, validFrom: FROM, validTo: later });
      expect((await lock.findCode({ lockId, passcode: '583920' }))?.validTo?.getTime()).toBe(later.getTime());
      await lock.changeCode({ lockId, lockCodeId, validFrom: FROM, validTo: later, passcode: '720461' });
      expect(await lock.findCode({ lockId, passcode: '583920' })).toBeUndefined();
      expect(await lock.findCode({ lockId, passcode: '720461' })).toMatchObject({ lockCodeId });
    });

    it('removes a code, and removing it again still succeeds', async () => {
      const { lockCodeId } = await lock.addCode({
        lockId,
        passcode: '583920',
        name: 'brafa:B1',
        validFrom: FROM,
        validTo: TO,
      });
      await lock.removeCode({ lockId, lockCodeId });
      expect(await lock.findCode({ lockId, passcode: '583920' })).toBeUndefined();
      await expect(lock.removeCode({ lockId, lockCodeId })).resolves.toBeUndefined();
    });

    it('lists every code on the lock', async () => {
      const digits = ['583920', '720461', '640918'];
      for (const [i, passcode] of digits.entries()) {
        await lock.addCode({ lockId, passcode, name: `brafa:B${i}`, validFrom: FROM, validTo: TO });
      }
      const codes = await collect(lock.listCodes(lockId));
      expect(codes.map((c) => c.passcode).sort()).toEqual([...digits].sort());
      expect(new Set(codes.map((c) => c.lockCodeId)).size).toBe(3);
    });
  });
}
