// 4. Time-to-door: every booking's code on its door as early as the physics allow. The sandbox
// adds 15 ms per TTLock gateway operation and 1 ms per MEWS call (1:100 of real latencies).
// The same world is run twice: with wide concurrency, and with concurrency 1 (the legacy app).
import { cpuMeter, nonZero, openMewsBench, seconds, target } from '../lib/setup.mjs';

const GATEWAY_MS = 15;
const MEWS_MS = 1;
const LATENCY = [
  { vendor: 'sciener', endpoint: '/v3/keyboardPwd/add', ms: GATEWAY_MS },
  { vendor: 'sciener', endpoint: '/v3/keyboardPwd/change', ms: GATEWAY_MS },
  { vendor: 'sciener', endpoint: '/v3/keyboardPwd/delete', ms: GATEWAY_MS },
  { vendor: 'mews', ms: MEWS_MS },
];

export const sizes = {
  full: { reservations: 2_000, units: 200, withinDays: 85, maxNights: 4 },
  quick: { reservations: 200, units: 20, withinDays: 85, maxNights: 4 },
};

/** Engine jobs and TTLock requests in flight (the config's maximum). */
const WIDE = 1000;

/**
 * Lower bound of the makespan: the MEWS reads that must precede any code (each reservation
 * page and its customers page, then the empty page that ends the walk), then the busiest
 * lock's operations back to back (a lock takes one at a time), and never faster than MEWS's
 * 200 requests / 30 s allow.
 */
export function lowerBound(reservations) {
  const perLock = new Map();
  for (const r of reservations) {
    if (r.state !== 'Confirmed' || r.unitName === null) continue;
    perLock.set(r.unitName, (perLock.get(r.unitName) ?? 0) + 1);
  }
  const busiest = Math.max(...perLock.values());
  const pages = Math.floor(reservations.length / 1000) + 1;
  const mewsBeforeLocks = pages + Math.ceil(reservations.length / 1000);
  const mewsRateMs = Math.floor(Math.max(0, mewsBeforeLocks - 1) / 200) * 30_000;
  return {
    busiestLockOps: busiest,
    locks: perLock.size,
    mewsCallsBeforeFirstCode: mewsBeforeLocks,
    ms: Math.max(busiest * GATEWAY_MS, mewsRateMs) + mewsBeforeLocks * MEWS_MS,
  };
}

async function once(size, concurrency) {
  const bench = await openMewsBench({ ...size, concurrency, latency: LATENCY });
  try {
    const n = bench.world.reservations.filter((r) => r.state === 'Confirmed').length;
    const stopCpu = await cpuMeter(bench);
    bench.timeline.reset();
    const t0 = performance.now();
    const result = await bench.rt.engine.run({ propertyId: 'P1', window: bench.window });
    const total = performance.now() - t0;
    const cpu = await stopCpu();
    const phases = bench.timeline.summary();
    const counts = nonZero(await bench.sandbox.counts());
    const verify = await bench.sandbox.call('verify', { propertyId: 'P1', nowMs: Date.now() });
    return {
      n,
      bound: lowerBound(bench.world.reservations),
      // Door time: the last lock operation acknowledged (the write-back to MEWS follows).
      makespanMs: (phases['lock.done']?.last ?? Number.NaN) * 1000,
      totalMs: total,
      cpu,
      phases,
      counts,
      verify,
      result,
    };
  } finally {
    await bench.close();
  }
}

export async function run({ quick }) {
  const size = quick ? sizes.quick : sizes.full;
  const wide = await once(size, WIDE);
  const legacy = await once(size, 1);
  const ratio = wide.makespanMs / wide.bound.ms;
  const speedup = legacy.makespanMs / wide.makespanMs;
  const targets = [];
  for (const [label, r] of [
    ['wide', wide],
    ['concurrency 1', legacy],
  ]) {
    const d = r.result.dispatch;
    targets.push(
      target(
        `${label}: every code on its door and in MEWS`,
        `${r.n} ok`,
        r.verify.problems
          ? `${r.verify.problems} problems: ${r.verify.examples.join('; ')}`
          : `${r.verify.expected} ok`,
        r.verify.problems === 0 && r.verify.expected === r.n && d.dead === 0,
        'functional',
      ),
    );
  }
  targets.push(
    target('makespan ≤ 1.15 × lower bound', '1.15', `${ratio.toFixed(2)}`, ratio <= 1.15),
    target('≥ 50× faster than concurrency 1', '50', `${speedup.toFixed(1)}`, speedup >= 50),
  );
  return {
    inputs: {
      ...size,
      confirmedReservations: wide.n,
      locks: wide.bound.locks,
      gatewayMs: GATEWAY_MS,
      mewsMs: MEWS_MS,
      concurrency: WIDE,
    },
    wallSeconds: seconds(wide.totalMs),
    makespanSeconds: seconds(wide.makespanMs),
    legacyMakespanSeconds: seconds(legacy.makespanMs),
    legacyWallSeconds: seconds(legacy.totalMs),
    speedup: Math.round(speedup * 10) / 10,
    ...wide.cpu,
    // What the SDK adds beyond the physics: door time minus the lower bound.
    overheadSeconds: seconds(wide.makespanMs - wide.bound.ms),
    phases: wide.phases,
    legacyPhases: legacy.phases,
    calls: wide.counts,
    legacyCalls: legacy.counts,
    lowerBound: { ...wide.bound, seconds: seconds(wide.bound.ms) },
    ratio: Math.round(ratio * 100) / 100,
    targets,
  };
}
