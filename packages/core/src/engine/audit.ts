import type { AccessCode } from '../domain/schemas.js';
import type { LockCode } from '../ports/lock.js';
import { sameWindow } from '../time/access-window.js';
import { type EngineContext, lockJob } from './context.js';
import { codeName, withLock } from './lock-job.js';
import { requireProperty } from './plan-and-persist.js';

export type DriftKind =
  /** The store believes the lock holds this code; the lock does not (deleted at the keypad, reset…). */
  | 'missing_on_lock'
  /** The lock holds our code with another window or other digits. */
  | 'differs_on_lock'
  /** A code we created (our tag) that the store no longer tracks: an orphan. */
  | 'orphan'
  /** A code someone else created (keypad, app, another system). */
  | 'unknown_on_lock';

export interface DriftFinding {
  kind: DriftKind;
  lockId: string;
  lockCodeId: string | null;
  bookingId: string | null;
  codeId: string | null;
  detail: string;
  fixed: boolean;
}

export interface AuditOptions {
  fix?: boolean;
  /** Also delete codes we did not create (default false: never touch what is not ours). */
  deleteUnknown?: boolean;
}

export interface AuditReport {
  propertyId: string;
  locks: number;
  codesOnLocks: number;
  findings: DriftFinding[];
}

/**
 * Compares what each lock really holds (`listCodes`) with the store. Without `fix` it only
 * reports. With `fix` the store is corrected so the normal job flow converges the lock: a
 * missing or different code goes back to `pending` (re-added or changed by its lock job),
 * orphans we created are removed, and codes we did not create are left alone unless
 * `deleteUnknown` says otherwise.
 */
export async function auditProperty(
  ctx: EngineContext,
  propertyId: string,
  options: AuditOptions = {},
): Promise<AuditReport> {
  await requireProperty(ctx.store, propertyId);
  const assignments = await ctx.store.listLockAssignments(propertyId);
  const own = await ctx.store.listAccessCodes({ propertyId });
  const lockIds = [...new Set([...assignments.map((a) => a.lockId), ...own.map((c) => c.lockId)])].sort();
  const tracked = await ctx.store.listAccessCodes({ lockIds });
  const findings: DriftFinding[] = [];
  let codesOnLocks = 0;
  const now = ctx.clock.now();

  for (const lockId of lockIds) {
    const onLock: LockCode[] = [];
    for await (const code of ctx.lock.listCodes(lockId)) onLock.push(code);
    codesOnLocks += onLock.length;
    const byId = new Map(onLock.map((c) => [c.lockCodeId, c]));
    const known = tracked.filter((c) => c.lockId === lockId);
    const knownIds = new Set(known.map((c) => c.lockCodeId).filter((id): id is string => id !== null));

    for (const code of known.filter((c) => c.propertyId === propertyId && c.state === 'active')) {
      const real = code.lockCodeId ? byId.get(code.lockCodeId) : undefined;
      if (!real) {
        findings.push(
          await repair(
            ctx,
            code,
            'missing_on_lock',
            `code ${code.lockCodeId ?? '?'} is not on the lock`,
            options,
            { lockCodeId: null, lockPasscode: null },
          ),
        );
        continue;
      }
      const windowOk =
        real.validFrom &&
        real.validTo &&
        sameWindow({ validFrom: real.validFrom, validTo: real.validTo }, code);
      if (!windowOk || real.passcode !== code.passcode) {
        const what =
          real.passcode !== code.passcode
            ? 'other digits'
            : `window ${real.validFrom?.toISOString()} -> ${real.validTo?.toISOString()}`;
        findings.push(
          await repair(ctx, code, 'differs_on_lock', `lock holds ${what}`, options, {
            lockPasscode: real.passcode,
          }),
        );
      }
    }

    for (const real of onLock) {
      if (knownIds.has(real.lockCodeId)) continue;
      const ours = real.name?.startsWith('brafa:') ?? false;
      const bookingId = ours ? real.name!.slice('brafa:'.length) : null;
      const kind: DriftKind = ours ? 'orphan' : 'unknown_on_lock';
      const remove = options.fix && (ours || options.deleteUnknown);
      if (remove) {
        // A gateway operation like any other: one at a time per lock, across workers too.
        await withLock(ctx, lockId, 0, async () => {
          await ctx.lockLeases?.hold(lockId);
          await ctx.lock.removeCode({ lockId, lockCodeId: real.lockCodeId });
        });
      }
      findings.push({
        kind,
        lockId,
        lockCodeId: real.lockCodeId,
        bookingId,
        codeId: null,
        detail: ours
          ? `our code for booking ${bookingId} is not tracked`
          : `code "${real.name ?? ''}" was not created by us`,
        fixed: Boolean(remove),
      });
    }
  }
  if (options.fix && findings.some((f) => f.fixed && f.codeId)) {
    const byId = new Map(tracked.map((c) => [c.id, c]));
    const repaired = findings.flatMap((f) => {
      const code = f.fixed && f.codeId ? byId.get(f.codeId) : undefined;
      return code ? [lockJob(code, now)] : [];
    });
    await ctx.store.enqueueJobs(repaired, now);
  }
  return { propertyId, locks: lockIds.length, codesOnLocks, findings };
}

async function repair(
  ctx: EngineContext,
  code: AccessCode,
  kind: DriftKind,
  detail: string,
  options: AuditOptions,
  lockState: Partial<Pick<AccessCode, 'lockCodeId' | 'lockPasscode'>>,
): Promise<DriftFinding> {
  let fixed = false;
  if (options.fix) {
    fixed = await ctx.store.updateAccessCode(
      code.id,
      {
        ...lockState,
        state: 'pending',
        revision: code.revision + 1,
        attempts: 0,
        lastError: null,
        updatedAt: ctx.clock.now(),
      },
      { expectedRevision: code.revision },
    );
  }
  return {
    kind,
    lockId: code.lockId,
    lockCodeId: code.lockCodeId,
    bookingId: code.bookingId,
    codeId: code.id,
    detail,
    fixed,
  };
}

export { codeName };
