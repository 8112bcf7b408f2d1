import type { AuditReport } from '@brafa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonOutput, runBrafa } from './support/brafa-child.js';
import { checkInvariants, formatViolation } from './support/invariants.js';
import { startWorld, tempDir, type World } from './support/world.js';

/**
 * Issue 9 §5, end to end through the real CLI process: the locks are changed behind the SDK's
 * back — a code deleted at the lock, a code typed in at the keypad, a window changed in the
 * app — and `brafa audit` must see all three; `--fix` must converge without touching the
 * keypad code; a second audit is clean.
 */
describe('drift audit through the CLI', () => {
  const tmp = tempDir('brafa-audit-');
  let world: World;
  beforeAll(async () => {
    world = await startWorld(
      {
        scenario: {
          seed: 31,
          properties: [
            {
              id: 'P1',
              provider: 'mews',
              units: 6,
              entranceLock: true,
              reservations: { count: 12, withinDays: 14, cancelledRatio: 0 },
            },
          ],
        },
      },
      tmp.dir,
    );
  });
  afterAll(async () => {
    await world.close();
    tmp.cleanup();
  });

  it('reports a deleted code, a keypad code and a changed window; --fix converges and keeps the keypad code', async () => {
    const { sandbox } = world.running;
    expect((await runBrafa(world.configFile, ['run'])).code).toBe(0);
    const sciener = sandbox.scenario.world.sciener;
    const ours = sciener.codes.filter((c) => c.device && c.cloud?.name?.startsWith('brafa:'));
    const [deleted, shifted] = [ours[0]!, ours.find((c) => c.lockId !== ours[0]!.lockId)!];

    // 1. Deleted at the lock (a reset, a staff member in the app).
    sciener.codes.splice(sciener.codes.indexOf(deleted), 1);
    // 2. Typed in at the keypad by staff: not ours, must survive --fix.
    const keypadLock = shifted.lockId;
    const keypad = {
      keyboardPwdId: sciener.nextPwdId++,
      lockId: keypadLock,
      cloud: {
        passcode: '48213579',
        startDate: 0,
        endDate: 0,
        name: 'Cleaning staff',
        type: 2,
        sendDate: Date.now(),
        addType: 2,
      },
      device: { passcode: '48213579', startDate: 0, endDate: 0 },
    };
    sciener.codes.push(keypad);
    // 3. A window changed in the TTLock app.
    const hour = 3_600_000;
    for (const side of [shifted.cloud!, shifted.device!]) {
      side.startDate -= 5 * hour;
      side.endDate += 5 * hour;
    }

    const report = await runBrafa(world.configFile, ['audit', '--json']);
    expect(report.code).toBe(3);
    const findings = parseJsonOutput<AuditReport[]>(report).flatMap((r) => r.findings);
    expect(findings.find((f) => f.kind === 'missing_on_lock')).toMatchObject({
      lockId: String(deleted.lockId),
      bookingId: deleted.cloud!.name!.slice('brafa:'.length),
      fixed: false,
    });
    expect(findings.find((f) => f.kind === 'unknown_on_lock')).toMatchObject({
      lockId: String(keypadLock),
      lockCodeId: String(keypad.keyboardPwdId),
    });
    expect(findings.find((f) => f.kind === 'differs_on_lock')).toMatchObject({
      lockId: String(shifted.lockId),
      bookingId: shifted.cloud!.name!.slice('brafa:'.length),
    });
    const plain = await runBrafa(world.configFile, ['audit']);
    expect(plain.stdout).toMatch(/missing_on_lock lock \d+ booking /);
    expect(plain.stdout).toMatch(/unknown_on_lock lock \d+: code "Cleaning staff" was not created by us/);
    expect(plain.stdout).toMatch(/differs_on_lock lock \d+ booking .*: lock holds window/);

    const fix = await runBrafa(world.configFile, ['audit', '--fix']);
    expect(fix.stdout).toMatch(/missing_on_lock .*\(fixed\)/);
    expect(fix.stdout).toMatch(/differs_on_lock .*\(fixed\)/);
    expect(fix.stdout).not.toMatch(/unknown_on_lock .*\(fixed\)/);

    // The locks hold what the bookings need again, and the keypad code is untouched.
    const violations = checkInvariants(sandbox, { step: 'after audit --fix', now: new Date() }).map(
      formatViolation,
    );
    expect(violations).toEqual([
      `[step after audit --fix] property P1 lock ${keypadLock}: code ${keypad.keyboardPwdId} "Cleaning staff" belongs to no booking`,
    ]);
    expect(
      sandbox.inspect.lockCodes(keypadLock).find((c) => c.keyboardPwdId === keypad.keyboardPwdId)?.onDevice,
    ).toBe(true);

    const again = await runBrafa(world.configFile, ['audit', '--json']);
    expect(again.code).toBe(0);
    const left = parseJsonOutput<AuditReport[]>(again).flatMap((r) => r.findings);
    expect(left.map((f) => f.kind)).toEqual(['unknown_on_lock']);
  });
});
