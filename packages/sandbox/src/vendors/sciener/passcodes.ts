import { groupedBy } from '../../util/index-by.js';
import type { SciCode, SciLock, World } from '../../world/types.js';
import { ScienerFailure } from './errors.js';

export interface PasscodeRules {
  /** Custom passcodes per lock (sciener.md §5.1: 250, lock-dependent). */
  maxCodesPerLock: number;
  /** Digits allowed (sciener.md §9: 4–9 in the cloud docs). */
  minLength: number;
  maxLength: number;
}

export const defaultPasscodeRules: PasscodeRules = { maxCodesPerLock: 250, minLength: 4, maxLength: 9 };

export type Params = URLSearchParams;

export function requireInt(params: Params, name: string): number {
  const value = params.get(name);
  if (value === null || !/^-?\d+$/.test(value)) throw new ScienerFailure(-3);
  return Number(value);
}

export function optionalInt(params: Params, name: string): number | null {
  const value = params.get(name);
  if (value === null || value === '') return null;
  if (!/^-?\d+$/.test(value)) throw new ScienerFailure(-3);
  return Number(value);
}

export function findLock(world: World, lockId: number): SciLock {
  const lock = groupedBy(world.sciener.locks, 'lockId', (l) => l.lockId).get(lockId)?.[0];
  if (!lock) throw new ScienerFailure(-1003);
  return lock;
}

/** Digits only, 4–9 long (-3006); all-same digits or a straight run are "too simple" (-2032). */
export function checkDigits(passcode: string, rules: PasscodeRules): void {
  if (!/^\d+$/.test(passcode) || passcode.length < rules.minLength || passcode.length > rules.maxLength) {
    throw new ScienerFailure(-3006);
  }
  // The exact -2032 rule is undocumented (sciener.md §9); only the obvious cases are rejected.
  const digits = [...passcode].map(Number);
  const allSame = digits.every((d) => d === digits[0]);
  const step = (digits[1] ?? 0) - (digits[0] ?? 0);
  const run = Math.abs(step) === 1 && digits.every((d, i) => i === 0 || d - (digits[i - 1] ?? 0) === step);
  if (allSame || run) throw new ScienerFailure(-2032);
}

export function codesOf(world: World, lockId: number): SciCode[] {
  return [...(groupedBy(world.sciener.codes, 'lockId', (c) => c.lockId).get(lockId) ?? [])];
}

/**
 * The same digits cannot exist twice on one lock (-3007), counting the cloud list and what the
 * device still holds (expired but undeleted codes included, sciener.md §8 field notes).
 */
export function assertUniqueDigits(
  world: World,
  lockId: number,
  passcode: string,
  exceptId: number | null,
): void {
  const clash = codesOf(world, lockId).some(
    (c) =>
      c.keyboardPwdId !== exceptId && (c.cloud?.passcode === passcode || c.device?.passcode === passcode),
  );
  if (clash) throw new ScienerFailure(-3007);
}

/** A gateway operation (type 2) needs a gateway (-2012) that is online (-3002). */
export function assertGateway(lock: SciLock): void {
  if (!lock.hasGateway) throw new ScienerFailure(-2012);
  if (!lock.gatewayOnline) throw new ScienerFailure(-3002);
}
