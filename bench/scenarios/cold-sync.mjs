// 1. Cold sync: N confirmed MEWS reservations on U units (one lock each), empty store.
import { cpuMeter, nonZero, openMewsBench, seconds, target, timed } from '../lib/setup.mjs';

export const sizes = {
  full: { reservations: 10_000, units: 2_000, withinDays: 88 },
  quick: { reservations: 1_000, units: 200, withinDays: 88 },
};

const per1000 = (n) => Math.ceil(n / 1000);

/** The fewest calls a cold sync of n reservations can make (see bench/README.md). */
export function coldSyncMinimum(n) {
  return {
    // Cursor paging proves the end only with a short page: a full last page needs one more.
    'mews reservations/getAll/2023-06-06': Math.floor(n / 1000) + 1,
    'mews customers/getAll': per1000(n),
    'mews resourceAccessTokens/getAll': per1000(n),
    'mews resourceAccessTokens/add': per1000(n),
    'sciener /v3/keyboardPwd/add': n,
  };
}

/** Cold sync of an opened bench; also the set-up of scenarios 2 and 3. */
export async function coldSync(bench) {
  return timed(() => bench.rt.engine.run({ propertyId: 'P1', window: bench.window }));
}

/** `prefix` names the run when a scenario checks more than one (its set-up, say). */
export function checkRun(run, targets, prefix = '') {
  const d = run.dispatch;
  targets.push(
    target(
      `${prefix}no failed or retried jobs`,
      '0',
      `${d.dead} dead, ${d.retried} retried, ${run.errors.length} sync errors`,
      d.dead === 0 && d.retried === 0 && run.errors.length === 0,
      'functional',
    ),
  );
}

/** Lock jobs and TTLock requests in flight: enough to keep the sandbox busy, few enough to keep garbage young. */
export const COLD_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);

export async function run({ quick }) {
  const size = quick ? sizes.quick : sizes.full;
  const bench = await openMewsBench({ ...size, concurrency: COLD_CONCURRENCY });
  try {
    const n = bench.world.reservations.filter((r) => r.state === 'Confirmed').length;
    bench.timeline.reset();
    bench.mewsWait.reset();
    const stopCpu = await cpuMeter(bench);
    const { value: result, ms } = await coldSync(bench);
    const cpu = await stopCpu();
    const phases = bench.timeline.summary();
    const mewsWaitSeconds = seconds(bench.mewsWait.ms);
    const counts = nonZero(await bench.sandbox.counts());
    const verify = await bench.sandbox.call('verify', { propertyId: 'P1', nowMs: Date.now() });
    const minimum = coldSyncMinimum(n);
    const issueBound = { ...minimum, 'mews reservations/getAll/2023-06-06': per1000(n) };
    const targets = [];
    checkRun(result, targets);
    targets.push(
      target(
        'every stay has its code on its lock and in MEWS',
        `${verify.expected} ok`,
        verify.problems
          ? `${verify.problems} problems: ${verify.examples.join('; ')}`
          : `${verify.expected} ok`,
        verify.problems === 0 && verify.expected === n,
        'functional',
      ),
    );
    for (const [endpoint, min] of Object.entries(minimum)) {
      const got = counts[endpoint] ?? 0;
      targets.push(target(`${endpoint} at its minimum`, `${min}`, `${got}`, got === min, 'functional'));
    }
    const wall = seconds(ms);
    const host = await bench.close();
    return {
      inputs: { ...size, confirmedReservations: n, reservationPageSize: 1000, concurrency: COLD_CONCURRENCY },
      wallSeconds: wall,
      phases,
      mewsWaitSeconds,
      ...cpu,
      sandboxPeakRssMb: host.peakRssMb,
      calls: counts,
      lowerBound: { calls: minimum, issueBound },
      ratio: ratioOfCalls(counts, minimum),
      targets,
      wallTarget: quick ? null : 10,
      rssTarget: quick ? null : 250,
    };
  } catch (error) {
    await bench.close().catch(() => {});
    throw error;
  }
}

/** Total calls / total minimum calls over the bounded endpoints. */
export function ratioOfCalls(counts, minimum) {
  let got = 0;
  let min = 0;
  for (const [k, v] of Object.entries(minimum)) {
    got += counts[k] ?? 0;
    min += v;
  }
  return min ? Math.round((got / min) * 1000) / 1000 : null;
}
