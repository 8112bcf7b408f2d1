import { describe, expect, it } from 'vitest';
import type { AccessCode, BookingRecord } from '../src/domain/schemas.js';
import { derivePasscode } from '../src/passcode/policy.js';
import { applyPlan } from '../src/planner/apply.js';
import { LOCK_FULL_ISSUE, plan } from '../src/planner/plan.js';
import type { PlanInput } from '../src/planner/types.js';
import { DEFAULT_BOOKING_STATE, makeAccessCode, makeBooking, makeProperty } from '../src/testing/index.js';

const policy = { length: 6, secret: 'planner-example-secret' };
const record = (over: Parameters<typeof makeBooking>[0] = {}): BookingRecord => ({
  ...makeBooking(over),
  ...DEFAULT_BOOKING_STATE(new Date(0)),
});
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  property: makeProperty({ timezone: 'UTC' }),
  bookings: [record()],
  mappings: [],
  assignments: [
    { propertyId: 'P1', lockId: 'L1', scope: 'unit', roomId: 'R1', unitName: '101' },
    { propertyId: 'P1', lockId: 'L2', scope: 'unit', roomId: 'R1', unitName: '102' },
  ],
  codes: [],
  foreignCodes: [],
  policy,
  now: new Date('2026-04-20T00:00:00Z'),
  ...over,
});

/** A common door every guest gets, and one-night May stays on a unit (for the capacity cases). */
const entrance = { propertyId: 'P1', lockId: 'GATE', scope: 'property' as const };
const stay = (id: string, day: number, unitName: string) =>
  record({
    bookingId: id,
    unitName,
    arrivalDate: `2026-05-${String(day).padStart(2, '0')}`,
    departureDate: `2026-05-${String(day + 1).padStart(2, '0')}`,
  });

describe('planner examples', () => {
  it('explains bookings that get no code', () => {
    const p = plan(
      input({
        bookings: [
          record({ bookingId: 'A', roomId: null, unitName: null, resourceId: null }),
          record({ bookingId: 'B', roomId: 'R9', unitName: '999' }),
          record({ bookingId: 'C', status: 'unknown' }),
        ],
      }),
    );
    expect(p.desired).toEqual([]);
    expect(p.skipped).toEqual([
      { bookingId: 'A', reason: 'no unit assigned in the PMS' },
      { bookingId: 'B', reason: 'no lock assigned to unit R9/999' },
      { bookingId: 'C', reason: 'status unknown: not confirmed' },
    ]);
  });

  it('avoids digits another property already uses on a shared lock', () => {
    const taken = derivePasscode(policy, 'P1', 'B1', 0);
    const p = plan(
      input({
        foreignCodes: [makeAccessCode({ propertyId: 'P2', bookingId: 'X', lockId: 'L1', passcode: taken })],
      }),
    );
    expect(p.desired).toHaveLength(1);
    expect(p.desired[0]!.passcode).not.toBe(taken);
    expect(p.desired[0]!.attempt).toBe(1);
  });

  it('after check-in keeps the digits; a collision on a new lock is reported, not resolved by changing the PIN', () => {
    const first = plan(input());
    const codes: AccessCode[] = applyPlan([], first, new Date()).map((c) => ({
      ...c,
      state: 'active',
      lockCodeId: '1',
      lockPasscode: c.passcode,
    }));
    const passcode = codes[0]!.passcode;
    const during = new Date('2026-05-02T10:00:00Z');
    const foreign = makeAccessCode({ propertyId: 'P2', bookingId: 'X', lockId: 'L2', passcode });
    const p = plan(
      input({ bookings: [record({ unitName: '102' })], codes, foreignCodes: [foreign], now: during }),
    );
    expect(p.operations.filter((o) => o.kind !== 'noop')).toEqual([
      { kind: 'revoke', codeId: 'P1:B1:L1', bookingId: 'B1', lockId: 'L1', reason: 'unassigned' },
    ]);
    expect(p.skipped[0]!.reason).toMatch(/after check-in; reissue needed/);
  });

  it('before check-in a collision on the new lock gives the booking new digits everywhere', () => {
    const assignments: PlanInput['assignments'] = [
      { propertyId: 'P1', lockId: 'L1', scope: 'unit', roomId: 'R1', unitName: '101' },
      { propertyId: 'P1', lockId: 'L2', scope: 'unit', roomId: 'R1', unitName: '102' },
      { propertyId: 'P1', lockId: 'DOOR', scope: 'property' },
    ];
    const first = plan(input({ assignments }));
    const codes = applyPlan([], first, new Date()).map((c) => ({ ...c, state: 'active' as const }));
    const old = codes[0]!.passcode;
    const foreign = makeAccessCode({ propertyId: 'P2', bookingId: 'X', lockId: 'L2', passcode: old });
    const p = plan(
      input({ assignments, bookings: [record({ unitName: '102' })], codes, foreignCodes: [foreign] }),
    );
    const kinds = p.operations.map((o) => o.kind).sort();
    expect(kinds).toEqual(['move', 'reschedule']);
    for (const d of p.desired) expect(d.passcode).not.toBe(old);
  });

  // Occupancy bookkeeping within one plan: what a booking gives up is free for the bookings
  // planned after it, and what it keeps (or still has on a lock) stays taken.
  it('digits a reissued booking gives up on its lock are free for the next booking in the same plan', () => {
    const next = derivePasscode(policy, 'P1', 'B2', 0);
    const a = makeAccessCode({ bookingId: 'B1', lockId: 'L1', passcode: next, attempt: 0, state: 'active' });
    const p = plan(
      input({
        bookings: [{ ...record({ bookingId: 'B1' }), passcodeAttempt: 1 }, record({ bookingId: 'B2' })],
        codes: [a],
      }),
    );
    const byBooking = new Map(p.desired.map((d) => [d.bookingId, d]));
    expect(byBooking.get('B1')!.passcode).not.toBe(next);
    expect(byBooking.get('B2')).toMatchObject({ lockId: 'L1', passcode: next, attempt: 0 });
  });

  it('digits a booking keeps, or still has on a lock it leaves, stay taken for the bookings after it', () => {
    const next = derivePasscode(policy, 'P1', 'B2', 0);
    const kept = makeAccessCode({
      bookingId: 'B1',
      lockId: 'L1',
      passcode: next,
      attempt: 0,
      state: 'active',
    });
    const keeps = plan(
      input({ bookings: [record({ bookingId: 'B1' }), record({ bookingId: 'B2' })], codes: [kept] }),
    );
    expect(keeps.desired.find((d) => d.bookingId === 'B2')).toMatchObject({ lockId: 'L1', attempt: 1 });
    expect(keeps.desired.find((d) => d.bookingId === 'B2')!.passcode).not.toBe(next);
    // B1 moves from 101 (L1) to 102 (L2): its code on L1 is revoked, not yet removed.
    const moves = plan(
      input({
        bookings: [record({ bookingId: 'B1', unitName: '102' }), record({ bookingId: 'B2' })],
        codes: [kept],
      }),
    );
    expect(moves.operations.map((o) => o.kind).sort()).toEqual(['create', 'move']);
    expect(moves.desired.find((d) => d.bookingId === 'B2')!.passcode).not.toBe(next);
  });

  it('revokes codes of bookings that disappeared from the store', () => {
    const p = plan(input({ bookings: [], codes: [makeAccessCode({ lockId: 'L1', state: 'active' })] }));
    expect(p.operations).toEqual([
      { kind: 'revoke', codeId: 'P1:B1:L1', bookingId: 'B1', lockId: 'L1', reason: 'booking_missing' },
    ]);
  });

  it('a failed code is not retried until its target changes', () => {
    const first = plan(input());
    const codes = applyPlan([], first, new Date()).map((c) => ({
      ...c,
      state: 'failed' as const,
      lastError: 'x',
    }));
    expect(plan(input({ codes })).operations.map((o) => o.kind)).toEqual(['noop']);
    const moved = plan(input({ codes, bookings: [record({ departureDate: '2026-05-04' })] }));
    expect(moved.operations.map((o) => o.kind)).toEqual(['reschedule']);
  });

  it('gives a code failed by retryable errors a fresh budget after the wait, never one refused for good', () => {
    const first = plan(input());
    const failedAt = new Date('2026-04-20T00:00:00Z');
    const failed = (lastError: string) =>
      applyPlan([], first, failedAt).map((c) => ({
        ...c,
        state: 'failed' as const,
        lastError,
        updatedAt: failedAt,
      }));
    const at = (minutes: number) => new Date(failedAt.getTime() + minutes * 60_000);
    const transient = failed('TransientError: gateway offline code=-3002');
    expect(plan(input({ codes: transient, now: at(29) })).operations.map((o) => o.kind)).toEqual(['noop']);
    expect(plan(input({ codes: transient, now: at(30) })).operations.map((o) => o.kind)).toEqual([
      'reschedule',
    ]);
    expect(
      plan(input({ codes: transient, now: at(1), failedRetryMs: 0 })).operations.map((o) => o.kind),
    ).toEqual(['reschedule']);
    const permanent = failed('PermanentError: lock does not exist code=-1003');
    expect(plan(input({ codes: permanent, now: at(600) })).operations.map((o) => o.kind)).toEqual(['noop']);
    // A full lock frees places as stays end: tried again after the same wait.
    const full = failed('CapacityError: no space on the lock code=full');
    expect(plan(input({ codes: full, now: at(29) })).operations.map((o) => o.kind)).toEqual(['noop']);
    expect(plan(input({ codes: full, now: at(30) })).operations.map((o) => o.kind)).toEqual(['reschedule']);
  });

  it('admits new codes on a full lock soonest window first; the rest wait with a reason and come later', () => {
    // Ids run against the dates, so admission cannot be by booking id.
    const bookings = [stay('A', 9, '101'), stay('B', 7, '102'), stay('C', 5, '101'), stay('D', 3, '102')];
    const other = makeAccessCode({ propertyId: 'P2', bookingId: 'X', lockId: 'GATE', passcode: '918273' });
    const first = plan(
      input({
        bookings,
        assignments: [...input().assignments, entrance],
        foreignCodes: [other],
        maxCodesPerLock: 3,
      }),
    );
    const onGate = (p: typeof first) => p.desired.filter((c) => c.lockId === 'GATE').map((c) => c.bookingId);
    // Three places, one held by the other property's code: the two soonest stays get in.
    expect(onGate(first).sort()).toEqual(['C', 'D']);
    // Room locks have room: every stay gets its room code.
    expect(first.desired.filter((c) => c.lockId !== 'GATE')).toHaveLength(4);
    expect(first.skipped.map((s) => s.bookingId).sort()).toEqual(['A', 'B']);
    expect(first.skipped[0]!.reason).toMatch(new RegExp(`^${LOCK_FULL_ISSUE} GATE \\(it holds 3 codes\\)`));

    // Applied and on the locks: a re-plan admits nothing more and keeps them waiting.
    const codes: AccessCode[] = applyPlan([], first, new Date()).map((c) => ({ ...c, state: 'active' }));
    const again = plan(
      input({
        bookings,
        assignments: [...input().assignments, entrance],
        codes,
        foreignCodes: [other],
        maxCodesPerLock: 3,
      }),
    );
    expect(again.operations.filter((o) => o.kind !== 'noop')).toEqual([]);
    expect(again.skipped.map((s) => s.bookingId).sort()).toEqual(['A', 'B']);

    // D's stay is over and its codes are gone: the next soonest, B, gets the place.
    const later = plan(
      input({
        bookings: bookings.filter((b) => b.bookingId !== 'D'),
        assignments: [...input().assignments, entrance],
        codes: codes.filter((c) => c.bookingId !== 'D'),
        foreignCodes: [other],
        maxCodesPerLock: 3,
      }),
    );
    expect(
      later.operations.filter((o) => o.kind === 'create').map((o) => o.kind === 'create' && o.code.bookingId),
    ).toEqual(['B']);
    expect(later.skipped.map((s) => s.bookingId)).toEqual(['A']);
  });

  it('without a known capacity every code is planned', () => {
    const bookings = ['A', 'B', 'C', 'D'].map((id, i) =>
      record({
        bookingId: id,
        arrivalDate: `2026-05-0${i + 1}`,
        departureDate: `2026-05-0${i + 2}`,
        unitName: i % 2 ? '101' : '102',
      }),
    );
    const p = plan(
      input({ bookings, assignments: [...input().assignments, entrance], maxCodesPerLock: null }),
    );
    expect(p.desired.filter((c) => c.lockId === 'GATE')).toHaveLength(4);
    expect(p.skipped).toEqual([]);
  });

  it('on a full lock a sooner stay takes the place of the latest one that has not started', () => {
    const assignments = [...input().assignments, entrance];
    const bookings = [stay('C', 5, '101'), stay('D', 3, '102')];
    const first = plan(input({ bookings, assignments, maxCodesPerLock: 2 }));
    const codes: AccessCode[] = applyPlan([], first, new Date()).map((c) => ({ ...c, state: 'active' }));

    // A last-minute booking for the 1st: C (the 5th) makes room, D (the 3rd) stays.
    const late = plan(
      input({ bookings: [...bookings, stay('E', 1, '101')], assignments, codes, maxCodesPerLock: 2 }),
    );
    const changes = late.operations.filter((o) => o.kind !== 'noop');
    expect(changes).toHaveLength(3);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'create',
          code: expect.objectContaining({ bookingId: 'E', lockId: 'GATE' }),
        }),
        expect.objectContaining({
          kind: 'create',
          code: expect.objectContaining({ bookingId: 'E', lockId: 'L1' }),
        }),
        { kind: 'revoke', codeId: 'P1:C:GATE', bookingId: 'C', lockId: 'GATE', reason: 'lock_full' },
      ]),
    );
    expect(late.skipped).toEqual([
      { bookingId: 'C', reason: expect.stringMatching(/^waiting for space on lock GATE/) },
    ]);
    // C keeps its digits on its room and will get the same ones back on the gate.
    expect(late.desired.find((c) => c.bookingId === 'C' && c.lockId === 'L1')?.passcode).toBe(
      codes.find((c) => c.bookingId === 'C')?.passcode,
    );

    // Once D's stay is under way, D is never moved: E waits instead of taking D's place.
    const during = plan(
      input({
        bookings: [...bookings, stay('E', 4, '101')],
        assignments,
        codes: codes.filter((c) => c.bookingId !== 'C'),
        maxCodesPerLock: 1,
        now: new Date('2026-05-03T18:00:00Z'),
      }),
    );
    expect(during.operations.filter((o) => o.kind === 'revoke')).toEqual([]);
    expect(during.skipped.map((s) => s.bookingId).sort()).toEqual(['C', 'E']);
  });

  it('a failed code that never reached the lock holds no place on it', () => {
    const failed = makeAccessCode({
      bookingId: 'OLD',
      lockId: 'GATE',
      state: 'failed',
      lockCodeId: null,
      lastError: 'PermanentError: too simple',
    });
    const p = plan(
      input({
        bookings: [record({ bookingId: 'NEW' })],
        assignments: [entrance],
        codes: [failed],
        maxCodesPerLock: 1,
      }),
    );
    expect(p.desired.map((c) => c.bookingId)).toEqual(['NEW']);
  });
});
