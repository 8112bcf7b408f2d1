import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors/errors.js';
import { derivePasscode, passcodeProblem, validatePolicy } from '../src/passcode/policy.js';

const policy = { length: 6, secret: 'test-secret-123' };

describe('passcode policy', () => {
  it.each([
    ['111111', 'all digits the same'],
    ['123456', 'ascending or descending run'],
    ['654321', 'ascending or descending run'],
    ['890123', 'ascending or descending run'],
    ['121212', 'repeated pattern'],
    ['123123', 'repeated pattern'],
    ['112112', 'repeated pattern'],
    ['110011', 'fewer than three distinct digits'],
    ['159753', 'common PIN'],
    ['12a456', 'digits only'],
    ['12345', 'must have 6 digits'],
  ])('rejects %s (%s)', (code, reason) => {
    expect(passcodeProblem(code, code.length === 5 ? 6 : code.length)).toBe(reason);
  });

  it('rejects common 4-digit PINs and accepts an ordinary one', () => {
    expect(passcodeProblem('1234', 4)).not.toBeNull();
    expect(passcodeProblem('2580', 4)).toBe('common PIN');
    expect(passcodeProblem('4821', 4)).toBeNull();
    expect(passcodeProblem('583920', 6)).toBeNull();
  });

  it('validates length 4–9 and a real secret', () => {
    expect(() => validatePolicy({ length: 3, secret: 'long-enough' })).toThrow(ValidationError);
    expect(() => validatePolicy({ length: 10, secret: 'long-enough' })).toThrow(/passcode.length/);
    expect(() => validatePolicy({ length: 6, secret: 'short' })).toThrow(/secret/);
    expect(validatePolicy({ length: 9, secret: 'long-enough' }).length).toBe(9);
  });

  it('derives the same passcode for the same booking and attempt, another for another attempt', () => {
    const a = derivePasscode(policy, 'P1', 'B1', 0);
    expect(derivePasscode(policy, 'P1', 'B1', 0)).toBe(a);
    expect(derivePasscode(policy, 'P1', 'B1', 1)).not.toBe(a);
    expect(derivePasscode({ ...policy, secret: 'another-secret' }, 'P1', 'B1', 0)).not.toBe(a);
  });

  // Codes already on locks and in the PMS were derived with these exact digits: a change to
  // the derivation (its hash, message or reduction) would re-key every booking's passcode.
  it.each([
    [6, 'test-secret-123', 'P1', 'B1', 0, '812689'],
    [6, 'test-secret-123', 'P1', 'B1', 1, '778988'],
    [4, 'test-secret-123', 'P1', 'B1', 0, '2689'],
    [9, 'test-secret-123', 'hotel-7', 'RES-2026-000042', 3, '463629598'],
    [
      8,
      'a-very-long-passcode-secret-that-is-longer-than-one-sha256-block-of-64-bytes',
      'P2',
      'Ďáblice 12 — pokoj',
      0,
      '52606851',
    ],
    [6, 'żółw-klucz-🔑', 'P3', 'x'.repeat(200), 2, '111330'],
  ])(
    'derives the same digits as ever (length %i, case %#)',
    (length, secret, scope, bookingId, attempt, digits) => {
      expect(derivePasscode({ length, secret }, scope, bookingId, attempt)).toBe(digits);
    },
  );

  it('always yields acceptable digits of the configured length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 9 }),
        fc.string({ minLength: 1 }),
        fc.nat(1000),
        (length, bookingId, attempt) => {
          const code = derivePasscode({ length, secret: 'property-secret' }, 'P1', bookingId, attempt);
          expect(code).toMatch(new RegExp(`^\\d{${length}}$`));
          expect(passcodeProblem(code, length)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('spreads codes over the space (no visible bias in 5,000 bookings)', () => {
    const codes = new Set(Array.from({ length: 5000 }, (_, i) => derivePasscode(policy, 'P1', `B${i}`, 0)));
    // Birthday bound for 5,000 draws in ~1e6: about 12 collisions expected.
    expect(codes.size).toBeGreaterThan(4950);
    const firstDigits = new Set([...codes].map((c) => c[0]));
    expect(firstDigits.size).toBe(10);
  });
});
