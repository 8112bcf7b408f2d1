import { secretsOf } from '@brafa/cli';
import { type CallLogEntry, createPrng, type FaultRule, type Prng } from '@brafa/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildResult, parseJsonOutput, runBrafa, spawnBrafa } from './support/brafa-child.js';
import { diagnose } from './support/diagnose.js';
import { checkInvariants, expectedCodeCount, formatViolation } from './support/invariants.js';
import { mutate } from './support/mutations.js';
import { advanceQueueClock } from './support/queue.js';
import { allPasscodes, findLeaks } from './support/secrets.js';
import { failuresWithoutReason, type RunJson, unexplained } from './support/status.js';
import { startWorld, tempDir, type World } from './support/world.js';

/**
 * Issue 9 §1: chaos convergence. A seeded world of 330 reservations (a MEWS hotel with an
 * entrance door, a Beds24 property), faults on well over 10 % of vendor calls, PMS changes
 * between runs, and the real `brafa run` process killed with SIGKILL at ≥ 20 points — by
 * time, after the n-th vendor call, or right after the n-th lock write (the lock applied it,
 * the reply never left). Then a run without faults must converge, checked on what the
 * sandbox's locks and PMS really hold.
 *
 * Replay a failure: BRAFA_CHAOS_SEED=<seed> npx vitest run --project reliability test/chaos.test.ts
 */
const SEED = Number(process.env.BRAFA_CHAOS_SEED ?? 20_260_109);
const REPLAY = `seed ${SEED} (replay: BRAFA_CHAOS_SEED=${SEED} npx vitest run --project reliability test/chaos.test.ts)`;
const KILLS = 20;
const MAX_ROUNDS = 60;
const CHECKPOINT_EVERY = 6;
const FINAL_RUNS = 6;

const lockWrite = /\/v3\/keyboardPwd\/(add|change|delete)$/;
const scienerCodeOps = [
  '/v3/keyboardPwd/add',
  '/v3/keyboardPwd/change',
  '/v3/keyboardPwd/delete',
  '/v3/lock/listKeyboardPwd',
];

/** ≥ 10 % of calls fail somehow; timeouts drop the connection after 250 ms instead of 30 s. */
const chaosFaults: FaultRule[] = [
  {
    vendor: 'mews',
    rates: { rateLimit: 0.04, serverError: 0.04, timeout: 0.02, lostResponse: 0.02 },
    retryAfterSeconds: 1,
    timeoutMs: 250,
  },
  ...scienerCodeOps.map(
    (endpoint): FaultRule => ({
      vendor: 'sciener',
      endpoint,
      rates: { errcode: 0.07, timeout: 0.02, lostResponse: 0.04 },
      errcodes: [-3002, -3003, 90000],
      timeoutMs: 250,
    }),
  ),
  { vendor: 'sciener', endpoint: '/oauth2/token', rates: { serverError: 0.1 } },
  { vendor: 'beds24', endpoint: 'POST /bookings', rates: { lostResponse: 0.1 }, timeoutMs: 250 },
  {
    vendor: 'beds24',
    rates: { rateLimit: 0.03, serverError: 0.04, timeout: 0.02 },
    retryAfterSeconds: 1,
    timeoutMs: 250,
  },
];

type Trigger = { kind: 'time'; ms: number } | { kind: 'call'; n: number } | { kind: 'lockWrite'; n: number };

function pickTrigger(prng: Prng, round: number): Trigger {
  const kind = prng.pick(['time', 'call', 'lockWrite'] as const);
  if (kind === 'time') return { kind, ms: prng.int(150, round === 1 ? 5000 : 2500) };
  if (kind === 'call') return { kind, n: prng.int(1, round === 1 ? 300 : 30) };
  return { kind, n: prng.int(1, round === 1 ? 500 : 20) };
}

const describeTrigger = (t: Trigger) =>
  t.kind === 'time'
    ? `after ${t.ms} ms`
    : t.kind === 'call'
      ? `at vendor call #${t.n}`
      : `at lock write #${t.n}`;

/** Where a killed run was, from what it had printed. */
function phaseOf(result: ChildResult): string {
  if (/^dispatch:/m.test(result.stdout)) return 'after dispatch';
  if (/^sync /m.test(result.stdout)) return 'dispatch (locks / write-back)';
  return 'start-up or sync';
}

describe(`chaos convergence, ${REPLAY}`, () => {
  const tmp = tempDir('brafa-chaos-');
  let world: World;
  const outputs: Array<{ source: string; text: string }> = [];
  const env = { BRAFA_LOG: 'debug' };

  beforeAll(async () => {
    world = await startWorld(
      {
        scenario: {
          seed: SEED,
          properties: [
            {
              id: 'P1',
              provider: 'mews',
              timezone: 'Europe/Prague',
              units: 60,
              entranceLock: true,
              reservations: {
                count: 240,
                withinDays: 26,
                maxNights: 4,
                cancelledRatio: 0.1,
                unassignedRatio: 0.02,
              },
            },
            {
              id: 'B1',
              provider: 'beds24',
              timezone: 'Europe/London',
              units: 30,
              reservations: { count: 130, withinDays: 26, maxNights: 4, cancelledRatio: 0.1 },
            },
          ],
        },
        // Beds24's credit budget (100 / 5 min) is the provider's own suite's business; here it
        // would only make the many restarts wait.
        beds24: { credits: { limit: 1_000_000 } },
      },
      tmp.dir,
      {
        // Under this storm (a failing TTLock token endpoint fails every job of a run; every
        // SIGKILL counts as a claim of each job it held) the default budget of 8 claims is
        // used up by a few codes, which then stay `failed` for good — a real limitation with
        // its own test (retry-budget.test.ts). Here the budget is raised so the suite tests
        // convergence, not the budget.
        patch: (c) => ({ ...c, worker: { ...c.worker, retry: { maxAttempts: 40 } } }),
      },
    );
  });
  afterAll(async () => {
    await world?.close();
    tmp.cleanup();
  });

  it('converges after faults, PMS changes and ≥ 20 SIGKILLs; every failure on the way has a reason', async () => {
    const { sandbox } = world.running;
    const reservations = sandbox.scenario.reservations().length;
    expect(reservations, REPLAY).toBeGreaterThanOrEqual(300);
    const prng = createPrng(SEED);
    console.log(`chaos: ${REPLAY}, ${reservations} reservations`);

    // Observe every vendor call as it is answered, to kill the child at an exact point.
    let onCall: ((entry: CallLogEntry) => void) | null = null;
    const record = sandbox.callLog.record.bind(sandbox.callLog);
    sandbox.callLog.record = (entry) => {
      const full = record(entry);
      onCall?.(full);
      return full;
    };

    sandbox.faults.set(chaosFaults);
    const kills: Array<{ round: number; trigger: string; phase: string }> = [];
    const checkpoints: string[] = [];
    let round = 0;
    while (kills.length < KILLS && round < MAX_ROUNDS) {
      round++;
      if (round > 1) {
        mutate(
          sandbox.scenario,
          prng,
          {
            changeDates: 3,
            moveRoom: 2,
            cancel: round % 2,
            unassign: round % 5 === 0 ? 1 : 0,
            create: 1 - (round % 2),
          },
          new Date(),
        );
      }
      // Time between two cron runs: backoffs are over, leases of killed workers expired.
      await advanceQueueClock(world.database);

      if (round % CHECKPOINT_EVERY === 0) {
        // A whole run under faults: what is still wrong on the sandbox must be in its status.
        const step = `round ${round} (checkpoint, faults on, not killed)`;
        const result = await runBrafa(world.configFile, ['run', '--json'], { env });
        outputs.push(
          { source: `${step} stdout`, text: result.stdout },
          { source: `${step} stderr`, text: result.stderr },
        );
        const run = parseJsonOutput<RunJson>(result);
        expect(failuresWithoutReason(run.statuses), `${REPLAY} ${step}`).toEqual([]);
        const violations = checkInvariants(sandbox, { step, now: new Date() });
        const hidden = unexplained(violations, run);
        expect(
          hidden.map(formatViolation),
          `${REPLAY}: wrong on the sandbox but not in brafa status`,
        ).toEqual([]);
        checkpoints.push(`${step}: ${violations.length} open, all reported`);
        continue;
      }

      const trigger = pickTrigger(prng, round);
      const child = spawnBrafa(world.configFile, ['run'], {
        env,
        ...(trigger.kind === 'time' ? { killAfterMs: trigger.ms } : {}),
      });
      let calls = 0;
      let writes = 0;
      onCall = (entry) => {
        calls++;
        if (lockWrite.test(entry.endpoint)) writes++;
        if (
          (trigger.kind === 'call' && calls >= trigger.n) ||
          (trigger.kind === 'lockWrite' && writes >= trigger.n)
        )
          child.kill();
      };
      const result = await child.done;
      onCall = null;
      const step = `round ${round} (${result.killed ? `killed ${describeTrigger(trigger)}` : 'completed'})`;
      outputs.push(
        { source: `${step} stdout`, text: result.stdout },
        { source: `${step} stderr`, text: result.stderr },
      );
      if (result.killed) kills.push({ round, trigger: describeTrigger(trigger), phase: phaseOf(result) });
      else expect([0, 3], `${REPLAY} ${step}: ${result.stderr.slice(-2000)}`).toContain(result.code);
    }
    expect(kills.length, `${REPLAY}: only ${kills.length} kills in ${round} rounds`).toBeGreaterThanOrEqual(
      KILLS,
    );

    const chaosCalls = sandbox.calls();
    const faulted = chaosCalls.filter((c) => c.fault !== null).length;
    const faultShare = faulted / chaosCalls.length;
    expect(faultShare, `${REPLAY}: fault share`).toBeGreaterThanOrEqual(0.1);
    const lostLockWrites = chaosCalls.filter(
      (c) => c.fault === 'lostResponse' && lockWrite.test(c.endpoint),
    ).length;

    // The storm is over: runs without faults or kills until nothing is left to do.
    sandbox.faults.clear();
    let final: RunJson | undefined;
    let finalRuns = 0;
    for (; finalRuns < FINAL_RUNS; ) {
      finalRuns++;
      await advanceQueueClock(world.database);
      const result = await runBrafa(world.configFile, ['run', '--json'], { env });
      outputs.push({ source: `final run ${finalRuns}`, text: result.stdout + result.stderr });
      final = parseJsonOutput<RunJson>(result);
      const busy = final.statuses.some((s) => s.jobs.queued + s.jobs.running > 0);
      if (result.code === 0 && !busy) break;
    }
    const status = await runBrafa(world.configFile, ['status', '--json'], { env });
    outputs.push({ source: 'final status', text: status.stdout + status.stderr });
    const statuses = parseJsonOutput<RunJson['statuses']>(status);

    const now = new Date();
    const violations = checkInvariants(sandbox, { step: `final (after ${finalRuns} clean runs)`, now });
    const expected = expectedCodeCount(sandbox, { step: 'final', now });
    console.log(
      [
        `chaos: ${REPLAY}`,
        `  ${round} rounds, ${kills.length} SIGKILLs (${[
          'start-up or sync',
          'dispatch (locks / write-back)',
          'after dispatch',
        ]
          .map((p) => `${kills.filter((k) => k.phase === p).length} in ${p}`)
          .join(', ')})`,
        `  ${chaosCalls.length} vendor calls under chaos, ${(faultShare * 100).toFixed(1)} % faulted, ${lostLockWrites} lock writes applied with the reply lost`,
        ...checkpoints.map((c) => `  ${c}`),
        `  converged after ${finalRuns} clean run(s): ${expected.codes} codes for ${expected.bookings} bookings checked, ${violations.length} violations`,
      ].join('\n'),
    );
    if (violations.length)
      console.log(`chaos: ${REPLAY}\n${await diagnose(world.database, sandbox, violations)}`);
    expect(violations.map(formatViolation), REPLAY).toEqual([]);
    expect(expected.codes, REPLAY).toBeGreaterThan(400);
    expect(failuresWithoutReason(statuses), REPLAY).toEqual([]);
    const left = statuses.flatMap((s) =>
      [...s.failures, ...s.writeBackErrors].map((f) => ({
        step: 'final',
        propertyId: s.propertyId,
        bookingId: f.bookingId,
        lockId: null,
        message: '',
      })),
    );
    if (left.length)
      console.log(`chaos: ${REPLAY} failures left\n${await diagnose(world.database, sandbox, left)}`);
    expect(
      statuses.flatMap((s) => [...s.failures, ...s.writeBackErrors, ...s.deadJobs]),
      `${REPLAY}: failures left after the clean runs`,
    ).toEqual([]);
    expect(status.code, REPLAY).toBe(0);

    // Everything the runs printed (debug logs included): no secret, no whole PIN.
    const leaks = findLeaks(outputs, secretsOf(world.config), allPasscodes(sandbox));
    expect(leaks, REPLAY).toEqual([]);
  });
});
