// 3. Incremental: 1 % of the cold-synced reservations changed in MEWS (dates, rooms,
// cancellations) through the sandbox's scenario mutators, then one sync.
import { cpuMeter, nonZero, openMewsBench, seconds, target } from '../lib/setup.mjs';
import { checkRun, coldSync, sizes } from './cold-sync.mjs';

const DAY = 86_400_000;
const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/**
 * 1 % of the confirmed reservations, a third each: shorten the stay by a night (never
 * creates an overlap), move to a unit that is free for the whole stay, cancel.
 */
export function pickChanges(reservations, share = 0.01) {
  const confirmed = reservations.filter((r) => r.state === 'Confirmed' && r.unitName !== null);
  const total = Math.max(3, Math.round(confirmed.length * share));
  const byUnit = new Map();
  for (const r of confirmed) byUnit.set(r.unitName, [...(byUnit.get(r.unitName) ?? []), r]);
  const units = [...byUnit.keys()];
  const free = (unit, r) =>
    (byUnit.get(unit) ?? []).every(
      (o) => o.id === r.id || o.departure <= r.arrival || r.departure <= o.arrival,
    );
  const changes = [];
  const used = new Set();
  // Every 97th reservation: spread over units and dates, deterministic.
  for (let i = 0; changes.length < total && i < confirmed.length * 97; i += 97) {
    const r = confirmed[i % confirmed.length];
    if (used.has(r.id)) continue;
    const kind = changes.length % 3;
    if (kind === 0) {
      if (r.departure <= addDays(r.arrival, 1)) continue; // one night: cannot shorten
      changes.push({ op: 'changeDates', id: r.id, arrival: r.arrival, departure: addDays(r.departure, -1) });
    } else if (kind === 1) {
      const to = units.find((u) => u !== r.unitName && free(u, r));
      if (!to) continue;
      changes.push({ op: 'moveRoom', id: r.id, unit: to, from: r.unitName });
      // Keep the free-unit bookkeeping true for later picks.
      byUnit.set(
        r.unitName,
        byUnit.get(r.unitName).filter((o) => o.id !== r.id),
      );
      byUnit.set(to, [...(byUnit.get(to) ?? []), r]);
    } else {
      changes.push({ op: 'cancel', id: r.id });
      byUnit.set(
        r.unitName,
        byUnit.get(r.unitName).filter((o) => o.id !== r.id),
      );
    }
    used.add(r.id);
  }
  return changes;
}

/** The lock and MEWS calls those changes need, no more. */
export function expectedCalls(changes) {
  const dates = changes.filter((c) => c.op === 'changeDates').length;
  const moves = changes.filter((c) => c.op === 'moveRoom').length;
  const cancels = changes.filter((c) => c.op === 'cancel').length;
  const per1000 = (n) => Math.ceil(n / 1000);
  return {
    'sciener /v3/keyboardPwd/change': dates,
    'sciener /v3/keyboardPwd/delete': moves + cancels,
    'sciener /v3/keyboardPwd/add': moves,
    // One batched read of the touched service orders, then one call per kind of write.
    'mews resourceAccessTokens/getAll': per1000(changes.length),
    'mews resourceAccessTokens/update': per1000(dates),
    'mews resourceAccessTokens/delete': per1000(moves + cancels),
    'mews resourceAccessTokens/add': per1000(moves),
  };
}

export async function run({ quick }) {
  const size = quick ? sizes.quick : sizes.full;
  const bench = await openMewsBench(size);
  try {
    const cold = await coldSync(bench);
    const changes = pickChanges(bench.world.reservations);
    await bench.sandbox.call('mutate', { changes });
    await bench.sandbox.clearCalls();
    bench.timeline.reset();
    bench.mewsWait.reset();
    const stopCpu = await cpuMeter(bench);
    const t0 = performance.now();
    const result = await bench.rt.engine.run({ propertyId: 'P1', window: bench.window });
    const ms = performance.now() - t0;
    const cpu = await stopCpu();
    const counts = nonZero(await bench.sandbox.counts());
    const verify = await bench.sandbox.call('verify', { propertyId: 'P1', nowMs: Date.now() });
    const expected = expectedCalls(changes);
    const targets = [];
    checkRun(cold.value, targets, 'set-up cold sync: ');
    checkRun(result, targets);
    for (const [endpoint, want] of Object.entries(expected)) {
      const got = counts[endpoint] ?? 0;
      targets.push(
        target(`${endpoint} = operations needed`, `${want}`, `${got}`, got === want, 'functional'),
      );
    }
    const unexpected = Object.keys(counts).filter(
      (k) => !(k in expected) && !k.startsWith('mews reservations/') && k !== 'mews customers/getAll',
    );
    targets.push(
      target(
        'no other calls',
        'none',
        unexpected.join(', ') || 'none',
        unexpected.length === 0,
        'functional',
      ),
      target(
        'locks and MEWS match the changed reservations',
        `${verify.expected} ok`,
        verify.problems
          ? `${verify.problems} problems: ${verify.examples.join('; ')}`
          : `${verify.expected} ok`,
        verify.problems === 0,
        'functional',
      ),
    );
    const wall = seconds(ms);
    const phases = bench.timeline.summary();
    const mewsWaitSeconds = seconds(bench.mewsWait.ms);
    const host = await bench.close();
    let got = 0;
    let want = 0;
    for (const [k, v] of Object.entries(expected)) {
      got += counts[k] ?? 0;
      want += v;
    }
    return {
      inputs: {
        ...size,
        changed: changes.length,
        dateChanges: changes.filter((c) => c.op === 'changeDates').length,
        roomMoves: changes.filter((c) => c.op === 'moveRoom').length,
        cancellations: changes.filter((c) => c.op === 'cancel').length,
        setup: 'cold sync of the same data (not timed)',
      },
      wallSeconds: wall,
      phases,
      mewsWaitSeconds,
      ...cpu,
      sandboxPeakRssMb: host.peakRssMb,
      peakRssNote: 'peak of the whole process, cold-sync set-up included',
      calls: counts,
      lowerBound: { calls: expected },
      ratio: want ? Math.round((got / want) * 1000) / 1000 : null,
      targets,
    };
  } catch (error) {
    await bench.close().catch(() => {});
    throw error;
  }
}
