// 4. Time-to-door: every booking's code on its door as early as the physics allow. The sandbox
// adds 15 ms per TTLock gateway operation and 1 ms per MEWS call (1:100 of real latencies).
// The same world is run twice: with wide concurrency, and with concurrency 1 (the legacy app).
// A third run measures a booking made at the last minute while such a backlog is under way.
import { createEngine, createWebhookHandler } from '@brafa/core';
import { MemoryLock } from '@brafa/core/testing';
import { startRemoteSandbox } from '../lib/remote-sandbox.mjs';
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

/**
 * The shared-entrance run: every stay opens its room and the entrance. At most 250 stays: a
 * TTLock lock holds 250 codes (the sandbox's default), and the stays beyond would rightly wait
 * for room on the entrance.
 */
const entranceSizes = {
  full: { reservations: 240, units: 24, withinDays: 85, maxNights: 4 },
  quick: { reservations: 100, units: 10, withinDays: 85, maxNights: 4 },
};

/** Wide runs after the cold one before the measured ones (reported, not measured). */
const WARMUP_RUNS = 2;
/** Measured wide runs; the median is reported. */
const WARM_RUNS = 3;

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

async function once(size, concurrency, host) {
  const bench = await openMewsBench({ ...size, concurrency, latency: LATENCY, host });
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

/** A lock cloud in this process that takes `ms` per gateway operation, like the sandbox's TTLock. */
function delayedLock(inner, ms) {
  const after = (fn) => new Promise((resolve) => setTimeout(resolve, ms)).then(fn);
  return {
    kind: 'in-process',
    capabilities: inner.capabilities,
    addCode: (r) => after(() => inner.addCode(r)),
    changeCode: (r) => after(() => inner.changeCode(r)),
    removeCode: (r) => after(() => inner.removeCode(r)),
    findCode: (r) => inner.findCode(r),
    listCodes: (r) => inner.listCodes(r),
  };
}

/** Runs of the in-process-lock diagnostic: one to compile its paths, then the measured ones. */
const IN_PROCESS_RUNS = 4;

/**
 * Diagnostic, not a target: the wide run again with the TTLock cloud replaced by a stand-in in
 * this process (core's MemoryLock behind the same 15 ms per gateway operation), so no HTTP.
 * Everything else (MEWS over HTTP, the SQLite store, the engine) is the same. The difference
 * to the measured door is what the HTTP exchanges with the lock cloud cost the SDK (building
 * the request, reading the response, their garbage), the largest single share of the door.
 */
async function inProcessLock(size, host) {
  const doors = [];
  let cpu;
  for (let i = 0; i < IN_PROCESS_RUNS; i++) {
    const bench = await openMewsBench({ ...size, concurrency: WIDE, latency: LATENCY, host });
    try {
      const engine = createEngine({
        store: bench.rt.store,
        lock: delayedLock(new MemoryLock(), GATEWAY_MS),
        providers: (property) => bench.rt.providers.get(property.id),
        passcode: { secret: bench.config.secret, length: bench.config.passcode.length },
        concurrency: WIDE,
        onEvent: (event) => bench.timeline.record(event),
      });
      const stopCpu = await cpuMeter(bench);
      bench.timeline.reset();
      const result = await engine.run({ propertyId: 'P1', window: bench.window });
      const used = await stopCpu();
      if (result.dispatch.dead > 0) throw new Error(`in-process lock run: ${result.dispatch.dead} jobs dead`);
      if (i > 0) {
        doors.push(bench.timeline.summary()['lock.done']?.last ?? Number.NaN);
        cpu = used;
      }
    } finally {
      await bench.close();
    }
  }
  const sorted = [...doors].sort((a, b) => a - b);
  return { doorSeconds: sorted[Math.floor(sorted.length / 2)], runsSeconds: doors, ...cpu };
}

/** The config's default `worker.concurrency`: a backlog waits in the job queue, not in flight. */
const DEFAULT_CONCURRENCY = 16;

/** `YYYY-MM-DD` at `instant` in `timeZone`. */
const dateIn = (instant, timeZone) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(instant);
const nextDay = (date) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * A guest books a one-night stay starting today while the cold sync of the same world runs at
 * the default concurrency: once a tenth of its codes are on their doors, the reservation is
 * created in MEWS and its webhook handled (as `brafa serve` would); measured from the webhook
 * to that code on its door. Lock jobs are claimed soonest window first, so it should not wait
 * for the backlog. Its lock is the busiest one that is free tonight.
 */
async function lastMinute(size, host) {
  const injected = { at: null, door: null, id: null, codeIds: new Set(), pending: null };
  let locksDone = 0;
  let bench;
  const onEvent = (event) => {
    if (event.type !== 'lock.done') return;
    locksDone++;
    if (injected.codeIds.has(event.codeId)) injected.door = performance.now();
    if (locksDone === Math.ceil(bench.world.reservations.length / 10)) injected.pending = inject();
  };
  bench = await openMewsBench({
    ...size,
    concurrency: DEFAULT_CONCURRENCY,
    latency: LATENCY,
    onEvent,
    host,
  });
  const property = bench.config.properties[0];
  const today = dateIn(new Date(), property.timezone);
  const tomorrow = nextDay(today);
  const stays = new Map();
  const busy = new Set();
  for (const r of bench.world.reservations) {
    if (r.unitName === null || r.state !== 'Confirmed') continue;
    stays.set(r.unitName, (stays.get(r.unitName) ?? 0) + 1);
    if (r.arrival < tomorrow && r.departure > today) busy.add(r.unitName);
  }
  const unit = [...stays.entries()].filter(([u]) => !busy.has(u)).sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!unit) throw new Error('no unit is free tonight');
  const handle = createWebhookHandler({
    store: bench.rt.store,
    providers: (p) => bench.rt.providers.get(p.id),
  });
  async function inject() {
    const { added } = await bench.sandbox.call('mutate', {
      changes: [{ op: 'add', propertyId: 'P1', unit, arrival: today, departure: tomorrow }],
    });
    injected.id = added[0];
    injected.at = performance.now();
    const answer = await handle({
      propertyId: 'P1',
      method: 'POST',
      query: { Token: property.mews.webhookToken },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        EnterpriseId: bench.world.enterpriseIds.P1,
        IntegrationId: 'bench-integration',
        Events: [{ Discriminator: 'ServiceOrderUpdated', Value: { Id: injected.id } }],
      }),
    });
    if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${answer.body.message}`);
    // The engine picks the sync job up in its next claim; the code's id is known once planned.
    for (;;) {
      const codes = await bench.rt.store.listAccessCodes({ propertyId: 'P1', bookingId: injected.id });
      if (codes.length) {
        for (const c of codes) injected.codeIds.add(c.id);
        if (codes.every((c) => c.state === 'active')) injected.door ??= performance.now();
        return;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  try {
    const t0 = performance.now();
    const result = await bench.rt.engine.run({ propertyId: 'P1', window: bench.window });
    await injected.pending;
    // The webhook's booking may still be queued if the run ended first: dispatch what is left.
    if (injected.door === null) await bench.rt.engine.dispatch({ propertyId: 'P1' });
    const lastDoor = bench.timeline.types['lock.done']?.last ?? Number.NaN;
    const code = (await bench.rt.store.listAccessCodes({ propertyId: 'P1', bookingId: injected.id }))[0];
    return {
      concurrency: DEFAULT_CONCURRENCY,
      unit,
      stayNights: 1,
      webhookAtSeconds: seconds(injected.at - t0),
      doorAfterSeconds: seconds(injected.door - injected.at),
      backlogLeftSeconds: seconds(t0 + lastDoor - injected.at),
      // The PMS read by id (reservation, then its customer) and one gateway operation, after
      // the operation already running on that lock (at most one).
      lowerBoundSeconds: seconds(2 * MEWS_MS + 2 * GATEWAY_MS),
      codeState: code?.state ?? 'none',
      dead: result.dispatch.dead,
    };
  } finally {
    await bench.close();
  }
}

/**
 * A property with an entrance every stay opens, at the config's default concurrency: the
 * entrance takes one operation at a time, so its backlog is long; the rooms' doors must not
 * wait for it. Measured: the last room's code on its door against the rooms' bound (their
 * operations spread over the permits the entrance leaves, and the busiest room), and the
 * entrance's own last code against its bound (its operations back to back).
 */
async function sharedEntrance(size, host) {
  const last = { room: 0, entrance: 0 };
  let entrances = new Set();
  const bench = await openMewsBench({
    ...size,
    entranceLock: true,
    concurrency: DEFAULT_CONCURRENCY,
    latency: LATENCY,
    host,
    onEvent: (event) => {
      if (event.type !== 'lock.done') return;
      const t = performance.now();
      if (entrances.has(event.lockId)) last.entrance = t;
      else last.room = t;
    },
  });
  try {
    entrances = new Set(bench.world.entranceLockIds);
    if (entrances.size !== 1) throw new Error(`want one entrance lock, got ${entrances.size}`);
    const stays = bench.world.reservations.filter((r) => r.state === 'Confirmed' && r.unitName !== null);
    const perRoom = new Map();
    for (const r of stays) perRoom.set(r.unitName, (perRoom.get(r.unitName) ?? 0) + 1);
    const busiestRoom = Math.max(...perRoom.values());
    const mewsMs = (Math.floor(stays.length / 1000) + 1 + Math.ceil(stays.length / 1000)) * MEWS_MS;
    const t0 = performance.now();
    const result = await bench.rt.engine.run({ propertyId: 'P1', window: bench.window });
    const verify = await bench.sandbox.call('verify', { propertyId: 'P1', nowMs: Date.now() });
    const roomsBoundMs =
      mewsMs + Math.max(busiestRoom, Math.ceil(stays.length / (DEFAULT_CONCURRENCY - 1))) * GATEWAY_MS;
    return {
      concurrency: DEFAULT_CONCURRENCY,
      stays: stays.length,
      rooms: perRoom.size,
      roomsDoorSeconds: seconds(last.room - t0),
      roomsLowerBoundSeconds: seconds(roomsBoundMs),
      entranceDoorSeconds: seconds(last.entrance - t0),
      entranceLowerBoundSeconds: seconds(mewsMs + stays.length * GATEWAY_MS),
      verify,
      dead: result.dispatch.dead,
    };
  } finally {
    await bench.close();
  }
}

export async function run({ quick }) {
  const size = quick ? sizes.quick : sizes.full;
  // The first engine run of a process also has V8 compile the SDK's code as it goes (measured:
  // door 2.5 s cold, 1.8–2.0 s warm on this box). The concurrency-1 run always came second, so
  // it compared a warm run with a cold one. Now the wide run goes once first ("cold",
  // reported), then both measured runs are warm, as in a long-lived `brafa serve` where a
  // webhook's booking meets its door. Every run gets a fresh world from one sandbox host, whose
  // code is then compiled too: a vendor's cloud does not start cold for each of our runs.
  // One warm run was not yet steady: V8 still optimises the hot paths over the next runs and
  // the heap settles (measured, 8 runs in a row: door 2.2–2.5 s cold, 1.6–1.9 s second and
  // often third, 1.0–1.3 s from the fourth on). So after the cold run, WARMUP_RUNS more
  // (their door times reported), then WARM_RUNS measured, the median reported (each listed);
  // the concurrency-1 run, 2,000 operations over ~35 s, is steady by itself.
  // Started with a one-room world; every run below replaces it with its own.
  const host = await startRemoteSandbox({
    scenario: {
      seed: 8,
      properties: [
        { id: 'P1', provider: 'mews', units: 1, reservations: { count: 1, withinDays: 5, maxNights: 1 } },
      ],
    },
    database: 'sqlite::memory:',
  });
  try {
    const cold = await once(size, WIDE, host);
    const warmups = [];
    for (let i = 0; i < WARMUP_RUNS; i++) warmups.push(seconds((await once(size, WIDE, host)).makespanMs));
    const wides = [];
    for (let i = 0; i < WARM_RUNS; i++) wides.push(await once(size, WIDE, host));
    const wide = [...wides].sort((a, b) => a.makespanMs - b.makespanMs)[Math.floor(WARM_RUNS / 2)];
    wide.runsSeconds = wides.map((r) => seconds(r.makespanMs));
    wide.warmupSeconds = warmups;
    const legacy = await once(size, 1, host);
    const inProcess = await inProcessLock(size, host);
    const late = await lastMinute(size, host);
    const entrance = await sharedEntrance(quick ? entranceSizes.quick : entranceSizes.full, host);
    return report(size, cold, wides, wide, legacy, late, entrance, inProcess);
  } finally {
    await host.close();
  }
}

function report(size, cold, wides, wide, legacy, late, entrance, inProcess) {
  const ratio = wide.makespanMs / wide.bound.ms;
  const speedup = legacy.makespanMs / wide.makespanMs;
  const targets = [];
  for (const [label, r] of [
    ['wide, cold process', cold],
    ...wides.map((r, i) => [`wide, warm run ${i + 1}`, r]),
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
    target(
      'last-minute booking: its code on its door',
      'active, nothing dead',
      `${late.codeState}, ${late.dead} dead`,
      late.codeState === 'active' && late.dead === 0,
      'functional',
    ),
    target(
      'last-minute booking: on its door before the backlog is done',
      `< ${late.backlogLeftSeconds} s`,
      `${late.doorAfterSeconds} s`,
      late.doorAfterSeconds < late.backlogLeftSeconds,
    ),
    target(
      'shared entrance: every code on its door (room and entrance) and in MEWS',
      `${entrance.stays} ok`,
      entrance.verify.problems
        ? `${entrance.verify.problems} problems: ${entrance.verify.examples.join('; ')}`
        : `${entrance.verify.expected} ok`,
      entrance.verify.problems === 0 && entrance.verify.expected === entrance.stays && entrance.dead === 0,
      'functional',
    ),
    // The rooms need not wait for the entrance's backlog: their last code comes long before
    // the entrance's (at most half its time; with parking ~1/10 of it).
    target(
      "shared entrance: the rooms' doors do not wait for the entrance's backlog",
      `≤ ${seconds((entrance.entranceDoorSeconds * 1000) / 2)} s`,
      `${entrance.roomsDoorSeconds} s`,
      entrance.roomsDoorSeconds <= entrance.entranceDoorSeconds / 2,
    ),
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
    // Each warm wide run's door time; makespanSeconds is their median.
    warmRunsSeconds: wide.runsSeconds,
    warmupRunsSeconds: wide.warmupSeconds,
    legacyMakespanSeconds: seconds(legacy.makespanMs),
    // The same wide run as the first engine run of the process (JIT warm-up included).
    cold: {
      makespanSeconds: seconds(cold.makespanMs),
      ratio: Math.round((cold.makespanMs / cold.bound.ms) * 100) / 100,
      speedup: Math.round((legacy.makespanMs / cold.makespanMs) * 10) / 10,
      ...cold.cpu,
      phases: cold.phases,
    },
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
    lastMinute: late,
    sharedEntrance: entrance,
    // Not a target: the door with the lock cloud in process (no HTTP), and what HTTP added.
    inProcessLock: {
      ...inProcess,
      httpSeconds: seconds(wide.makespanMs - inProcess.doorSeconds * 1000),
    },
    ratio: Math.round(ratio * 100) / 100,
    targets,
  };
}
