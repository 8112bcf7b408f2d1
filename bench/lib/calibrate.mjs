// A fixed CPU workload, timed, so runs on different machines (or one machine at different
// moments: shared 2-core boxes drift by tens of percent over minutes) can be compared. It is
// made of what the SDK spends its CPU on: keyed hashes (passcodes), JSON (every API call),
// string-keyed maps (the planner, the stores). Same work every time; only the clock differs.
import { createHmac } from 'node:crypto';

const ROUNDS = 3;

function workload() {
  let sink = 0;
  for (let i = 0; i < 50_000; i++) {
    sink += createHmac('sha256', 'calibration-secret').update(`P1|B${i}|0|0`).digest()[0];
  }
  const doc = {
    Reservations: Array.from({ length: 1_000 }, (_, i) => ({
      Id: `r-${i}`,
      State: 'Confirmed',
      StartUtc: '2026-12-05T14:00:00Z',
      EndUtc: '2026-12-07T10:00:00Z',
      AssignedResourceId: `res-${i % 200}`,
      Notes: null,
    })),
  };
  for (let i = 0; i < 20; i++) sink += JSON.parse(JSON.stringify(doc)).Reservations.length;
  const map = new Map();
  for (let i = 0; i < 200_000; i++) map.set(`L${i % 20_000}\u0000${i}`, i);
  sink += map.size;
  return sink;
}

/** Milliseconds of the reference workload: the best of a few rounds after a warm-up. */
export function calibrate() {
  workload();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    workload();
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round(best);
}
