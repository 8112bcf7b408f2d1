// `pnpm bench [--quick] [scenario…]`: every scenario in its own child process (so peak RSS is
// per scenario), a table on stdout, and bench/results/latest.json. Exit code: non-zero when a
// scenario crashed or a functional check failed (wrong counts, no convergence); in a full run
// also when a timing target was missed. See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { calibrate } from './lib/calibrate.mjs';

const SCENARIOS = ['cold-sync', 'noop-resync', 'incremental', 'time-to-door', 'webhook', 'planner'];
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const chosen = args.filter((a) => !a.startsWith('--'));
const unknown = chosen.filter((s) => !SCENARIOS.includes(s));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const names = chosen.length ? chosen : SCENARIOS;
const here = fileURLToPath(new URL('.', import.meta.url));
// A hung scenario must not hang CI: quick runs take seconds, full ones about a minute each.
const TIMEOUT_MS = quick ? 120_000 : 900_000;

function runScenario(name) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--expose-gc', `${here}scenario.mjs`, name, ...(quick ? ['--quick'] : [])],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      const seconds = Math.round(performance.now() - started) / 1000;
      if (code === 0 && line) {
        resolve({ ...JSON.parse(line.slice('BENCH_RESULT '.length)), processSeconds: seconds });
        return;
      }
      const why = signal ? `killed (${signal}) after ${seconds} s` : `exit code ${code}`;
      resolve({
        scenario: name,
        quick,
        crashed: why,
        output: out.slice(-4000),
        targets: [],
        processSeconds: seconds,
      });
    });
  });
}

const fmt = (v, digits = 2) =>
  v === null || v === undefined ? '–' : typeof v === 'number' ? v.toFixed(digits) : String(v);

function headline(r) {
  switch (r.scenario) {
    case 'cold-sync':
    case 'noop-resync':
    case 'incremental':
      return `${r.inputs.reservations} res. / ${r.inputs.units} units; calls ${Object.values(r.calls).reduce((a, b) => a + b, 0)}`;
    case 'time-to-door':
      return `door ${fmt(r.makespanSeconds)} s (cold process ${fmt(r.cold?.makespanSeconds)} s) vs bound ${fmt(r.lowerBound?.seconds)} s; conc. 1: ${fmt(r.legacyMakespanSeconds)} s (${fmt(r.speedup, 1)}×); last-minute booking ${fmt(r.lastMinute?.doorAfterSeconds)} s; lock in process: door ${fmt(r.inProcessLock?.doorSeconds)} s`;
    case 'webhook':
      return `ack p50 ${fmt(r.ackP50Ms, 1)} / p99 ${fmt(r.ackP99Ms, 1)} ms, ${r.acksPerSecond}/s; drained in ${fmt(r.drainSeconds)} s`;
    case 'planner':
      return `${r.inputs.bookings} × 2 in ${fmt(r.wallSeconds)} s, retained heap ${r.heapMb} MB (per booking, full/quarter size: ×${r.heapPerBookingRatio})`;
    default:
      return '';
  }
}

// The machine's speed before and after: timing targets are absolute, machines are not.
const calibrationStartMs = calibrate();
const results = [];
for (const name of names) {
  process.stderr.write(`bench: ${name}${quick ? ' (quick)' : ''} …\n`);
  const r = await runScenario(name);
  results.push(r);
}

const rows = results.map((r) => {
  const failed = r.targets.filter((t) => !t.pass);
  const status = r.crashed
    ? 'CRASH'
    : failed.some((t) => t.kind === 'functional')
      ? 'FAIL'
      : failed.length
        ? 'MISS'
        : 'PASS';
  return [
    r.scenario,
    status,
    fmt(r.wallSeconds),
    fmt(r.peakRssMb, 0),
    fmt(r.ratio),
    r.crashed ? r.crashed : headline(r),
  ];
});
const header = ['scenario', 'result', 'wall s', 'RSS MB', 'ratio', 'summary'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));
console.log('\ntargets:');
for (const r of results) {
  for (const t of r.targets) {
    console.log(
      `  ${t.pass ? 'pass' : t.kind === 'functional' ? 'FAIL' : 'miss'}  ${r.scenario}: ${t.name} (want ${t.want}, got ${t.actual})`,
    );
  }
  if (r.crashed) console.log(`  CRASH ${r.scenario}: ${r.crashed}\n${r.output}`);
}

const calibrationEndMs = calibrate();
console.log(
  `\nmachine speed: reference workload ${calibrationStartMs} ms before, ${calibrationEndMs} ms after (bench/lib/calibrate.mjs; lower is faster)`,
);

const report = {
  when: new Date().toISOString(),
  quick,
  machine: {
    node: process.version,
    cpus: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg(),
    // Milliseconds of a fixed CPU workload (bench/lib/calibrate.mjs) before and after the run.
    calibrationMs: { start: calibrationStartMs, end: calibrationEndMs },
  },
  scenarios: results,
};
mkdirSync(`${here}results`, { recursive: true });
writeFileSync(`${here}results/latest.json`, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\nwritten: bench/results/latest.json (load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
);

const functional = results.filter(
  (r) => r.crashed || r.targets.some((t) => !t.pass && t.kind === 'functional'),
);
const timing = results.filter((r) => r.targets.some((t) => !t.pass && t.kind === 'timing'));
const passed =
  results.length - functional.length - (quick ? 0 : timing.filter((r) => !functional.includes(r)).length);
console.log(
  `bench${quick ? ' (quick)' : ''}: ${passed} of ${results.length} scenarios met their checks${quick ? ' (timing targets are reported, not enforced, in quick runs)' : ''}`,
);
process.exit(functional.length || (!quick && timing.length) ? 1 : 0);
