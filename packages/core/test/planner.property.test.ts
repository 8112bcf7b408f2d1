import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessCode, BookingRecord, LockAssignment, UnitMapping } from '../src/domain/schemas.js';
import { applyPlan } from '../src/planner/apply.js';
import { DEFAULT_GRACE_MS, plan } from '../src/planner/plan.js';
import type { Plan, PlanInput } from '../src/planner/types.js';
import { makeBooking, makeProperty } from '../src/testing/fixtures.js';
import { DEFAULT_BOOKING_STATE } from '../src/testing/memory-store.js';
import { accessWindow, addDays } from '../src/time/access-window.js';

const RUNS = { numRuns: 500 };
const BASE = '2026-06-10';
const policy = { length: 6, secret: 'planner-property-secret' };
const UNITS = [
  { roomId: 'R1', unitName: '101' },
  { roomId: 'R1', unitName: '102' },
  { roomId: 'R2', unitName: '201' },
  { roomId: 'R2', unitName: '202' },
];
const ZONES = ['Europe/Prague', 'America/New_York', 'Asia/Kolkata', 'UTC'];

const bookingArb = fc.record({
  unit: fc.integer({ min: 0, max: UNITS.length }), // UNITS.length = unmapped resource
  viaResource: fc.boolean(),
  start: fc.integer({ min: -12, max: 20 }),
  nights: fc.integer({ min: 1, max: 6 }),
  status: fc.constantFrom('confirmed', 'confirmed', 'confirmed', 'cancelled', 'unknown'),
});
type BookingSpec = typeof bookingArb extends fc.Arbitrary<infer T> ? T : never;

const worldArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  bookings: fc.array(bookingArb, { maxLength: 10 }),
  changed: fc.array(fc.option(bookingArb, { nil: undefined }), { maxLength: 10 }),
  unitLocks: fc.array(fc.boolean(), { minLength: UNITS.length, maxLength: UNITS.length }),
  propertyLock: fc.boolean(),
  nowHours: fc.integer({ min: -48, max: 24 * 14 }),
  mutateStates: fc.array(fc.constantFrom('active', 'pending', 'failed', 'keep'), { maxLength: 20 }),
});
type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function toBooking(spec: BookingSpec, i: number): BookingRecord {
  const unit = UNITS[spec.unit];
  const arrival = addDays(BASE, spec.start);
  return {
    ...makeBooking({
      bookingId: `B${i}`,
      arrivalDate: arrival,
      departureDate: addDays(arrival, spec.nights),
      status: spec.status as 'confirmed' | 'cancelled' | 'unknown',
      resourceId: unit ? `res-${spec.unit}` : 'res-unknown',
      roomId: unit && !spec.viaResource ? unit.roomId : null,
      unitName: unit && !spec.viaResource ? unit.unitName : null,
    }),
    ...DEFAULT_BOOKING_STATE(new Date(0)),
    propertyId: 'P1',
  } satisfies BookingRecord & { propertyId: string } as BookingRecord & { zone?: string };
}

function setup(world: World) {
  const property = makeProperty({ id: 'P1', timezone: world.zone });
  const mappings: UnitMapping[] = UNITS.map((u, i) => ({
    propertyId: 'P1',
    resourceId: `res-${i}`,
    resourceName: null,
    ...u,
    primary: true,
  }));
  const assignments: LockAssignment[] = UNITS.flatMap((u, i) =>
    world.unitLocks[i] ? [{ propertyId: 'P1', lockId: `L${i}`, scope: 'unit' as const, ...u }] : [],
  );
  if (world.propertyLock) assignments.push({ propertyId: 'P1', lockId: 'ENTRANCE', scope: 'property' });
  const now = new Date(new Date(`${BASE}T12:00:00Z`).getTime() + world.nowHours * 3_600_000);
  const earlier = new Date(now.getTime() - 5 * 86_400_000);
  const before = world.bookings.map((b, i) => toBooking(b, i));
  const after = before.map((b, i) => {
    const change = world.changed[i];
    return change ? { ...toBooking(change, i), passcodeAttempt: b.passcodeAttempt } : b;
  });
  const base = (bookings: BookingRecord[], codes: AccessCode[], at: Date): PlanInput => ({
    property,
    bookings,
    mappings,
    assignments,
    codes,
    foreignCodes: [],
    policy,
    now: at,
  });
  // Actual state: what an earlier plan produced, with locks having done some of the work.
  const first = plan(base(before, [], earlier));
  let codes = applyPlan([], first, earlier);
  codes = codes.map((c, i) => {
    const s = world.mutateStates[i];
    return s && s !== 'keep'
      ? { ...c, state: s as AccessCode['state'], lockCodeId: s === 'active' ? `lc-${i}` : null }
      : c;
  });
  return { property, input: base(after, codes, now), now, mappings };
}

const live = (codes: AccessCode[]) =>
  codes.filter((c) => c.state !== 'revoked' && c.state !== 'pending_revoke');
const key = (c: { codeId?: string; id?: string; passcode: string; validFrom: Date; validTo: Date }) =>
  `${c.codeId ?? c.id}|${c.passcode}|${c.validFrom.toISOString()}|${c.validTo.toISOString()}`;

function applied(input: PlanInput, p: Plan, now: Date): AccessCode[] {
  const changed = new Map(applyPlan(input.codes, p, now).map((c) => [c.id, c]));
  return [...input.codes.filter((c) => !changed.has(c.id)), ...changed.values()];
}

describe('planner properties (fast-check)', () => {
  it('applying the plan to actual yields exactly the desired codes', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { input, now } = setup(world);
        const p = plan(input);
        const after = applied(input, p, now);
        expect(live(after).map(key).sort()).toEqual(p.desired.map(key).sort());
      }),
      RUNS,
    );
  });

  it('re-planning after applying the plan is all noop', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { input, now } = setup(world);
        const p = plan(input);
        const again = plan({ ...input, codes: applied(input, p, now).filter((c) => c.state !== 'revoked') });
        expect(again.operations.filter((o) => o.kind !== 'noop')).toEqual([]);
      }),
      RUNS,
    );
  });

  it('cancelled (and unconfirmed) bookings lose every code', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { input, now } = setup(world);
        const p = plan(input);
        const after = applied(input, p, now);
        for (const b of input.bookings.filter((x) => x.status !== 'confirmed')) {
          expect(live(after).filter((c) => c.bookingId === b.bookingId)).toEqual([]);
          expect(p.desired.some((d) => d.bookingId === b.bookingId)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('a room change revokes on the old lock and creates on the new one, keeping the digits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 1, max: 10 }),
        fc.boolean(),
        (zone, start, checkedIn) => {
          const world: World = {
            zone,
            bookings: [{ unit: 0, viaResource: false, start, nights: 3, status: 'confirmed' }],
            changed: [],
            unitLocks: [true, true, true, true],
            propertyLock: false,
            nowHours: 0,
            mutateStates: ['active'],
          };
          const { input } = setup(world);
          const moved = { ...input.bookings[0]!, roomId: 'R2', unitName: '201' };
          const now = checkedIn
            ? new Date(accessWindow(input.property, moved).validFrom.getTime() + 3_600_000)
            : input.now;
          const p = plan({ ...input, bookings: [moved], now });
          const moves = p.operations.filter((o) => o.kind === 'move');
          expect(moves).toHaveLength(1);
          const move = moves[0]!;
          if (move.kind !== 'move') throw new Error('unreachable');
          expect(move.revoke.lockId).toBe('L0');
          expect(move.create.lockId).toBe('L2');
          expect(move.create.passcode).toBe(input.codes[0]!.passcode);
        },
      ),
      RUNS,
    );
  });

  it('a date change reschedules and keeps the passcode', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: -3, max: 10 }),
        fc.integer({ min: -2, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (zone, start, shift, extra, propertyLock) => {
          fc.pre(shift !== 0 || extra !== 3);
          // The new window must still be open: an ended booking keeps its code as it is.
          fc.pre(start + shift + extra >= -1);
          const world: World = {
            zone,
            bookings: [{ unit: 1, viaResource: true, start, nights: 3, status: 'confirmed' }],
            changed: [
              { unit: 1, viaResource: true, start: start + shift, nights: extra, status: 'confirmed' },
            ],
            unitLocks: [true, true, false, false],
            propertyLock,
            nowHours: -48,
            mutateStates: ['active', 'active'],
          };
          const { input } = setup(world);
          const p = plan(input);
          const reschedules = p.operations.filter((o) => o.kind === 'reschedule');
          expect(reschedules).toHaveLength(propertyLock ? 2 : 1);
          for (const op of reschedules) {
            if (op.kind !== 'reschedule') continue;
            expect(op.passcodeChanged).toBe(false);
            expect(op.code.passcode).toBe(op.previous.passcode);
          }
        },
      ),
      RUNS,
    );
  });

  it('property-scope locks get a code for every confirmed, mapped booking whose window is open', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { input, now } = setup({ ...world, propertyLock: true });
        const p = plan(input);
        for (const b of input.bookings) {
          const mapped = (b.roomId && b.unitName) || (b.resourceId && b.resourceId !== 'res-unknown');
          const open = accessWindow(input.property, b).validTo.getTime() > now.getTime();
          if (b.status === 'confirmed' && mapped && open) {
            expect(p.desired.some((d) => d.bookingId === b.bookingId && d.lockId === 'ENTRANCE')).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('a booking whose window has ended gets no new code', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { input } = setup(world);
        const p = plan(input);
        for (const op of p.operations) {
          const created = op.kind === 'create' ? op.code : op.kind === 'move' ? op.create : undefined;
          if (created) expect(created.validTo.getTime()).toBeGreaterThan(input.now.getTime());
        }
      }),
      RUNS,
    );
  });

  it('codes whose window ended more than the grace ago are revoked', () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 1, max: 72 }), (world, graceHours) => {
        const { input, now } = setup(world);
        const graceMs = graceHours * 3_600_000;
        const p = plan({ ...input, graceMs });
        const after = applied(input, p, now);
        for (const c of live(after)) expect(c.validTo.getTime() + graceMs).toBeGreaterThan(now.getTime());
        expect(DEFAULT_GRACE_MS).toBe(86_400_000);
      }),
      RUNS,
    );
  });

  it('unmapped units produce no code and a clear reason', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { input } = setup(world);
        const p = plan(input);
        for (const b of input.bookings.filter(
          (x) => x.resourceId === 'res-unknown' && x.status === 'confirmed',
        )) {
          expect(p.desired.some((d) => d.bookingId === b.bookingId)).toBe(false);
          expect(p.skipped.find((s) => s.bookingId === b.bookingId)?.reason).toMatch(
            /unmapped unit: PMS resource res-unknown/,
          );
        }
      }),
      RUNS,
    );
  });

  it('never gives two bookings the same digits on one lock, and is deterministic', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { input } = setup(world);
        const p = plan(input);
        const seen = new Map<string, string>();
        for (const d of p.desired) {
          const k = `${d.lockId}|${d.passcode}`;
          const other = seen.get(k);
          if (other) expect(other).toBe(d.bookingId);
          seen.set(k, d.bookingId);
        }
        expect(plan(input)).toEqual(p);
      }),
      RUNS,
    );
  });
});
