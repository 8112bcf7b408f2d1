// 2. No-op re-sync: the cold-synced property synced again with nothing changed in MEWS.
import {
  cpuMeter,
  LOCK_WRITES,
  MEWS_WRITES,
  nonZero,
  openMewsBench,
  sciener,
  seconds,
  sum,
  target,
} from '../lib/setup.mjs';
import { checkRun, coldSync, sizes } from './cold-sync.mjs';

export async function run({ quick }) {
  const size = quick ? sizes.quick : sizes.full;
  const bench = await openMewsBench(size);
  try {
    const cold = await coldSync(bench);
    await bench.sandbox.clearCalls();
    bench.timeline.reset();
    bench.mewsWait.reset();
    const stopCpu = await cpuMeter(bench);
    const t0 = performance.now();
    const result = await bench.rt.engine.run({ propertyId: 'P1', window: bench.window });
    const ms = performance.now() - t0;
    const cpu = await stopCpu();
    const counts = nonZero(await bench.sandbox.counts());
    const lockCalls = sciener(counts);
    const mewsWrites = sum(counts, MEWS_WRITES);
    const targets = [];
    checkRun(cold.value, targets, 'set-up cold sync: ');
    checkRun(result, targets);
    targets.push(
      target('zero lock calls', '0', `${lockCalls}`, lockCalls === 0, 'functional'),
      target('zero MEWS writes', '0', `${mewsWrites}`, mewsWrites === 0, 'functional'),
      target(
        'zero lock or write-back jobs',
        '0',
        `${result.dispatch.processed}`,
        result.dispatch.processed === 0,
        'functional',
      ),
    );
    const wall = seconds(ms);
    const phases = bench.timeline.summary();
    const mewsWaitSeconds = seconds(bench.mewsWait.ms);
    const host = await bench.close();
    return {
      inputs: { ...size, setup: 'cold sync of the same data (not timed)' },
      wallSeconds: wall,
      coldSyncSeconds: seconds(cold.ms),
      phases,
      mewsWaitSeconds,
      ...cpu,
      sandboxPeakRssMb: host.peakRssMb,
      peakRssNote: 'peak of the whole process, cold-sync set-up included',
      calls: counts,
      lowerBound: { lockCalls: 0, mewsWrites: 0, lockWrites: sum(counts, LOCK_WRITES) },
      ratio: null,
      targets,
      wallTarget: quick ? null : 3,
    };
  } catch (error) {
    await bench.close().catch(() => {});
    throw error;
  }
}
