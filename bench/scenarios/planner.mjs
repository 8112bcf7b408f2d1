// 6. Planner: plan() for B bookings × 2 locks each, in process, from an empty lock state
// (every code a create) and again from the applied state (every code a noop).
import {
  applyPlan,
  initialBookingState,
  plan,
  propertySchema,
  summarizePlan,
  validatePolicy,
} from '@brafa/core';
import { seconds, target } from '../lib/setup.mjs';

export const sizes = { full: { bookings: 100_000 }, quick: { bookings: 10_000 } };

const DAY = 86_400_000;

/** Units with two locks each (door + a second door), ten consecutive stays per unit. */
export function buildInput(bookings, now) {
  const property = propertySchema.parse({
    id: 'P1',
    provider: 'mews',
    timezone: 'Europe/Prague',
    checkInTime: '15:00',
    checkOutTime: '11:00',
  });
  const units = Math.ceil(bookings / 10);
  const assignments = [];
  for (let u = 0; u < units; u++) {
    for (const door of ['a', 'b'])
      assignments.push({
        propertyId: 'P1',
        lockId: `L${u}${door}`,
        scope: 'unit',
        roomId: 'R',
        unitName: `U${u}`,
      });
  }
  const state = initialBookingState(now);
  const list = [];
  const today = Date.parse(now.toISOString().slice(0, 10));
  for (let i = 0; i < bookings; i++) {
    const unit = i % units;
    const slot = Math.floor(i / units);
    const arrival = new Date(today + slot * 3 * DAY).toISOString().slice(0, 10);
    const departure = new Date(today + (slot * 3 + 2) * DAY).toISOString().slice(0, 10);
    list.push({
      propertyId: 'P1',
      bookingId: `B${String(i).padStart(7, '0')}`,
      resourceId: null,
      roomId: 'R',
      unitName: `U${unit}`,
      guestName: 'Guest',
      arrivalDate: arrival,
      departureDate: departure,
      checkInAt: null,
      checkOutAt: null,
      status: 'confirmed',
      referenceNumber: null,
      externalIds: {},
      ...state,
    });
  }
  return {
    property,
    bookings: list,
    mappings: [],
    assignments,
    codes: [],
    foreignCodes: [],
    policy: validatePolicy({ length: 6, secret: 'bench-planner-secret' }),
    now,
  };
}

/** Time, and heap retained by the result (both sides after a full GC; run with --expose-gc). */
function measure(fn) {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  global.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 1048576;
  return { value, ms, heapMb };
}

async function one(bookings, now) {
  const input = buildInput(bookings, now);
  const cold = measure(() => plan(input));
  const codes = applyPlan([], cold.value, now).map((c) => ({ ...c, state: 'active', lockCodeId: '1' }));
  const steady = measure(() => plan({ ...input, codes }));
  return { input, cold, steady };
}

export async function run({ quick }) {
  const { bookings } = quick ? sizes.quick : sizes.full;
  const now = new Date();
  // Warm-up (JIT) on a small input, then the measured sizes: the full one and a quarter of it,
  // so "memory linear" is a measured ratio (heap per booking at both sizes), not a claim.
  await one(2_000, now);
  const small = await one(bookings / 4, now);
  const big = await one(bookings, now);
  const summary = summarizePlan(big.cold.value);
  const steadySummary = summarizePlan(big.steady.value);
  // Retained heap per booking at full size over the same at a quarter: 1.0 is linear.
  const heapRatio = big.cold.heapMb / 4 / Math.max(small.cold.heapMb, 0.001);
  const timeRatio = big.cold.ms / 4 / small.cold.ms;
  const targets = [
    target(
      'every booking planned on both locks',
      `${bookings * 2} creates`,
      `${summary.create} creates, ${summary.skipped} skipped`,
      summary.create === bookings * 2 && summary.skipped === 0,
      'functional',
    ),
    target(
      'applied plan re-plans to noops',
      `${bookings * 2} noops`,
      `${steadySummary.noop} noops`,
      steadySummary.noop === bookings * 2,
      'functional',
    ),
    target(`plan ${bookings} × 2 ≤ 1 s`, '1', `${seconds(big.cold.ms)}`, big.cold.ms <= 1000),
    // Heap per booking may grow by at most 30 % from a quarter of the input to all of it.
    target(
      'memory linear (heap per booking, full vs quarter size)',
      '≤ 1.3',
      heapRatio.toFixed(2),
      heapRatio <= 1.3,
    ),
  ];
  return {
    inputs: {
      bookings,
      locksPerBooking: 2,
      units: Math.ceil(bookings / 10),
      locks: big.input.assignments.length,
    },
    wallSeconds: seconds(big.cold.ms),
    steadySeconds: seconds(big.steady.ms),
    heapMb: Math.round(big.cold.heapMb),
    heapBytesPerBooking: Math.round((big.cold.heapMb * 1048576) / bookings),
    quarterSize: {
      bookings: bookings / 4,
      seconds: seconds(small.cold.ms),
      heapMb: Math.round(small.cold.heapMb * 10) / 10,
    },
    // Per booking, full size over quarter size (1.0 = linear).
    timePerBookingRatio: Math.round(timeRatio * 100) / 100,
    heapPerBookingRatio: Math.round(heapRatio * 100) / 100,
    plan: summary,
    calls: {},
    lowerBound: null,
    ratio: null,
    targets,
  };
}
