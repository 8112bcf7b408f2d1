// 5. Webhook ingest: `brafa serve` (startService in process, with its worker loop in a thread
// of its own as the CLI runs it) on SQLite takes MEWS
// ServiceOrderUpdated webhooks for reservations that changed, from a bounded load loop on
// loopback; every changed reservation must then be synced exactly once.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startService } from '@brafa/cli';
import { cpuMeter, nonZero, openMewsBench, seconds, target } from '../lib/setup.mjs';
import { checkRun, coldSync } from './cold-sync.mjs';

export const sizes = {
  full: { reservations: 2_500, units: 500, withinDays: 88, webhooks: 2_000, concurrency: 8 },
  quick: { reservations: 500, units: 100, withinDays: 88, webhooks: 200, concurrency: 8 },
};

const DAY = 86_400_000;
const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** One change per reservation: a night less when it has two or more, else cancelled. */
function changesFor(reservations, count) {
  return reservations
    .filter((r) => r.state === 'Confirmed' && r.unitName !== null)
    .slice(0, count)
    .map((r) =>
      r.departure > addDays(r.arrival, 1)
        ? { op: 'changeDates', id: r.id, arrival: r.arrival, departure: addDays(r.departure, -1) }
        : { op: 'cancel', id: r.id },
    );
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function waitIdle(bench, expectedLockOps, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await bench.rt.store.countJobs({ propertyId: 'P1' });
    const done = bench.timeline.types['lock.done']?.n ?? 0;
    if (jobs.queued === 0 && jobs.running === 0 && done >= expectedLockOps) return jobs;
    if (Date.now() > until) return jobs;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function run({ quick }) {
  const size = quick ? sizes.quick : sizes.full;
  const bench = await openMewsBench({ ...size, concurrency: 256 });
  let service;
  try {
    const cold = await coldSync(bench);
    const changes = changesFor(bench.world.reservations, size.webhooks);
    await bench.sandbox.call('mutate', { changes });
    await bench.sandbox.clearCalls();
    const property = bench.config.properties[0];
    const token = property.mews.webhookToken;
    const enterpriseId = bench.world.enterpriseIds.P1;
    service = await startService(bench.rt, { port: 0, worker: 'thread' });
    const url = `${service.url}/webhooks/mews/P1?Token=${encodeURIComponent(token)}`;
    const bodies = changes.map((c, i) =>
      JSON.stringify({
        EnterpriseId: enterpriseId,
        IntegrationId: 'bench-integration',
        Events: [{ Discriminator: 'ServiceOrderUpdated', Value: { Id: c.id, Sequence: i } }],
      }),
    );
    const stopCpu = await cpuMeter(bench);
    bench.timeline.reset();
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t0 = performance.now();
    const load = await new Promise((resolve, reject) => {
      const worker = new Worker(new URL('../lib/webhook-load.mjs', import.meta.url), {
        workerData: { url, bodies, concurrency: size.concurrency },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const idle = await waitIdle(bench, changes.length, quick ? 60_000 : 300_000);
    const drainMs = performance.now() - t0;
    loop.disable();
    const cpu = await stopCpu();
    await service.close();
    service = undefined;
    const phases = bench.timeline.summary();
    const counts = nonZero(await bench.sandbox.counts());
    const verify = await bench.sandbox.call('verify', { propertyId: 'P1', nowMs: Date.now() });
    const latencies = load.results.map((r) => r.ms).sort((a, b) => a - b);
    const accepted = load.results.filter((r) => r.status === 202).length;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const ackRate = load.results.length / (load.ms / 1000);
    const synced = phases['sync.page']?.n ? bench.syncedBookings : 0;
    const lockOps = phases['lock.done']?.n ?? 0;
    const targets = [];
    checkRun(cold.value, targets, 'set-up cold sync: ');
    targets.push(
      target(
        'every webhook acknowledged with 202',
        `${changes.length}`,
        `${accepted}`,
        accepted === changes.length,
        'functional',
      ),
      target(
        'every changed reservation synced exactly once',
        `${changes.length} bookings fetched`,
        `${synced}`,
        synced === changes.length,
        'functional',
      ),
      target(
        'one lock operation per change',
        `${changes.length}`,
        `${lockOps}`,
        lockOps === changes.length,
        'functional',
      ),
      target(
        'queue drained, nothing dead',
        '0 queued/running/dead',
        `${idle.queued}/${idle.running}/${idle.dead}`,
        idle.queued + idle.running + idle.dead === 0,
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
      target('ack p99 ≤ 25 ms', '25', p99.toFixed(1), p99 <= 25),
      target('≥ 500 acks/s', '500', ackRate.toFixed(0), ackRate >= 500),
    );
    const host = await bench.close();
    return {
      inputs: { ...size, changed: changes.length, setup: 'cold sync of the property (not timed)' },
      wallSeconds: seconds(load.ms),
      ackP50Ms: Math.round(p50 * 10) / 10,
      ackP99Ms: Math.round(p99 * 10) / 10,
      ackMaxMs: Math.round(latencies.at(-1) * 10) / 10,
      acksPerSecond: Math.round(ackRate),
      drainSeconds: seconds(drainMs),
      ...cpu,
      // How long the service's event loop was blocked (what an ack waits behind).
      eventLoopDelayMs: {
        p50: Math.round(loop.percentile(50) / 1e5) / 10,
        p99: Math.round(loop.percentile(99) / 1e5) / 10,
        max: Math.round(loop.max / 1e5) / 10,
      },
      syncedBookings: synced,
      phases,
      sandboxPeakRssMb: host.peakRssMb,
      calls: counts,
      lowerBound: { syncedBookings: changes.length, lockOps: changes.length },
      ratio: changes.length ? Math.round((synced / changes.length) * 1000) / 1000 : null,
      targets,
    };
  } catch (error) {
    await service?.close().catch(() => {});
    await bench.close().catch(() => {});
    throw error;
  }
}
