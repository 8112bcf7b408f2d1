import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { localDateOf, type PropertyStatus } from '@brafa/core';
import { startSandbox } from '@brafa/sandbox';
import { openRuntime } from '../runtime.js';
import { configForSandbox } from '../sandbox/config.js';
import { type CommandContext, dispatchLine, EXIT } from './shared.js';

const PROPERTY = 'DEMO';

/**
 * `brafa demo`: the whole flow on one machine, no accounts needed. A sandbox MEWS + TTLock
 * runs in-process on loopback; a realistic property is seeded; the SDK syncs, provisions and
 * writes back into an embedded SQLite file; then guests change dates, move rooms and cancel,
 * and the SDK converges again. The summary is checked against the sandbox's own state.
 */
export async function demoCommand(
  ctx: CommandContext,
  o: { db: string; reservations: string },
): Promise<number> {
  const count = Number(o.reservations);
  if (!Number.isInteger(count) || count < 1 || count > 20_000)
    throw new RangeError(`--reservations: expected 1–20000, got "${o.reservations}"`);
  const started = Date.now();
  const running = await startSandbox({
    scenario: {
      seed: 2026,
      properties: [
        {
          id: PROPERTY,
          provider: 'mews',
          timezone: 'Europe/Prague',
          units: 40,
          entranceLock: true,
          reservations: { count, withinDays: 30, cancelledRatio: 0.08 },
        },
      ],
    },
  });
  try {
    const { scenario } = running.sandbox;
    const reservations = () => scenario.reservations(PROPERTY);
    // One unit is deliberately left out of the unit mappings: its guests get a clear reason.
    const unmappedUnit = reservations().find((r) => r.state === 'Confirmed' && r.unitName)?.unitName ?? '101';
    const dbFile = resolve(o.db);
    for (const suffix of ['', '-wal', '-shm']) await rm(`${dbFile}${suffix}`, { force: true });
    const config = configForSandbox(running, {
      database: `sqlite:${dbFile}`,
      secret: 'demo-secret-not-for-production',
      unmapped: [{ propertyId: PROPERTY, unitName: unmappedUnit }],
    });
    const rt = await openRuntime(config);
    ctx.reporter.useRedactor(rt.redactor);
    try {
      ctx.reporter.line(
        `sandbox on ${running.url}: MEWS + TTLock, 40 units, ${count} reservations, database ${dbFile}`,
      );
      const first = await round(ctx, rt, running, 'first run');

      // Guests change their plans.
      const confirmed = reservations().filter(
        (r) => r.state === 'Confirmed' && r.unitName && r.unitName !== unmappedUnit,
      );
      const today = localDateOf(new Date(), 'Europe/Prague');
      const future = confirmed.filter((r) => r.arrival > today);
      const units = scenario
        .units(PROPERTY)
        .map((u) => u.unitName)
        .filter((u) => u !== unmappedUnit);
      const changes = { dates: 0, moves: 0, cancels: 0 };
      for (const r of future.slice(0, 5)) {
        scenario.changeDates(r.id, { arrival: r.arrival, departure: addDay(r.departure) });
        changes.dates++;
      }
      for (const r of future.slice(5, 9)) {
        scenario.moveRoom(r.id, units.find((u) => u !== r.unitName)!);
        changes.moves++;
      }
      for (const r of future.slice(9, 13)) {
        scenario.cancel(r.id);
        changes.cancels++;
      }
      ctx.reporter.line(
        `guests changed: ${changes.dates} date changes, ${changes.moves} room moves, ${changes.cancels} cancellations`,
      );
      const second = await round(ctx, rt, running, 'second run');
      const idle = await round(ctx, rt, running, 'third run (nothing changed)');

      const check = verify(running, rt.config.properties[0]!.locks.length);
      const calls = running.sandbox.callLog.counts();
      const seconds = (Date.now() - started) / 1000;
      ctx.reporter.line('');
      ctx.reporter.line(
        `bookings: ${first.status.bookings} (${first.status.bookingIssues.length} without a code, e.g. unit ${unmappedUnit} is unmapped)`,
      );
      ctx.reporter.line(
        `codes on locks: ${check.codesOnLocks} across ${check.locks} locks (most on one lock: ${check.maxPerLock})`,
      );
      ctx.reporter.line(
        `PINs written back to MEWS: ${check.tokens} active PinCode tokens, ${check.mismatches} mismatches with the locks`,
      );
      ctx.reporter.line(
        `third run lock calls: ${idle.lockCalls}, MEWS writes: ${idle.pmsWrites} (a no-change re-sync does nothing)`,
      );
      ctx.reporter.line('API calls by endpoint:');
      for (const [endpoint, n] of Object.entries(calls).sort())
        ctx.reporter.line(`  ${endpoint.padEnd(48)} ${n}`);
      ctx.reporter.line(`time: ${seconds.toFixed(1)} s`);
      const ok =
        check.mismatches === 0 &&
        idle.lockCalls === 0 &&
        idle.pmsWrites === 0 &&
        second.status.failures.length === 0;
      ctx.reporter.line(ok ? 'demo OK: every lock and MEWS agree' : 'demo found problems (see above)');
      ctx.reporter.result({ ok, changes, first, second, idle, check, calls, seconds });
      return ok ? EXIT.ok : EXIT.partial;
    } finally {
      await rt.close();
    }
  } finally {
    await running.close();
  }
}

function addDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

type Running = Awaited<ReturnType<typeof startSandbox>>;

/** Lock writes and PMS writes so far, from the sandbox's own call log. */
function writeCalls(running: Running): { lock: number; pms: number } {
  let lock = 0;
  let pms = 0;
  for (const [endpoint, n] of Object.entries(running.sandbox.callLog.counts())) {
    if (/keyboardPwd\/(add|change|delete)/.test(endpoint)) lock += n;
    if (/resourceAccessTokens\/(add|update|delete)|serviceOrderNotes\/(add|update|delete)/.test(endpoint))
      pms += n;
  }
  return { lock, pms };
}

async function round(
  ctx: CommandContext,
  rt: Awaited<ReturnType<typeof openRuntime>>,
  running: Running,
  label: string,
) {
  const before = writeCalls(running);
  const result = await rt.engine.run();
  const after = writeCalls(running);
  const status: PropertyStatus = await rt.engine.status(PROPERTY);
  ctx.reporter.line(
    `${label}: ${result.syncs[0]?.bookings ?? 0} bookings read, ${result.syncs[0]?.operations ?? 0} changes; ${dispatchLine(result.dispatch)}`,
  );
  return {
    status,
    lockCalls: after.lock - before.lock,
    pmsWrites: after.pms - before.pms,
    dispatch: result.dispatch,
  };
}

/** Compare the sandbox's locks and MEWS tokens: the same PIN and window on both sides. */
function verify(running: Running, locks: number) {
  const { inspect } = running.sandbox;
  let codesOnLocks = 0;
  let maxPerLock = 0;
  const byPin = new Map<string, { startDate: Date | null; endDate: Date | null }>();
  for (const lock of running.sandbox.scenario.locks(PROPERTY)) {
    const codes = inspect.lockCodes(lock.lockId).filter((c) => c.onDevice);
    codesOnLocks += codes.length;
    maxPerLock = Math.max(maxPerLock, codes.length);
    if (lock.unitName === null)
      for (const c of codes) byPin.set(c.passcode, { startDate: c.startDate, endDate: c.endDate });
  }
  const tokens = inspect.mewsTokens({ propertyId: PROPERTY });
  let mismatches = 0;
  for (const t of tokens) {
    const onDoor = byPin.get(t.Value);
    if (
      !onDoor ||
      Date.parse(t.ValidityStartUtc) !== onDoor.startDate?.getTime() ||
      Date.parse(t.ValidityEndUtc) !== onDoor.endDate?.getTime()
    )
      mismatches++;
  }
  return { locks, codesOnLocks, maxPerLock, tokens: tokens.length, mismatches };
}
