import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uint64Mod } from '../src/passcode/policy.js';

describe('uint64Mod', () => {
  it('equals the BigInt remainder of the 64-bit value for every passcode length', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.integer({ min: 4, max: 9 }),
        (v, length) => {
          const m = 10 ** length;
          const hi = Number(v >> 32n);
          const lo = Number(v & 0xffffffffn);
          expect(uint64Mod(hi, lo, m)).toBe(Number(v % BigInt(m)));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('holds at the edges', () => {
    for (const [hi, lo] of [
      [0, 0],
      [0xffffffff, 0xffffffff],
      [0xffffffff, 0],
      [0, 0xffffffff],
      [1, 0],
    ] as const) {
      for (let length = 4; length <= 9; length++) {
        const v = (BigInt(hi) << 32n) + BigInt(lo);
        expect(uint64Mod(hi, lo, 10 ** length)).toBe(Number(v % 10n ** BigInt(length)));
      }
    }
  });
});
