import type { AccessCode } from '../domain/schemas.js';
import type { Plan, PlannedCode } from './types.js';

/**
 * The access-code rows after a plan is applied: creates and reschedules become `pending`
 * with a new revision (a lock job will put them on the lock), revokes become
 * `pending_revoke`. Only changed rows are returned. Pure, like the planner.
 */
export function applyPlan(codes: Iterable<AccessCode>, p: Plan, now: Date): AccessCode[] {
  const byId = new Map<string, AccessCode>();
  for (const code of codes) byId.set(code.id, code);
  const changed = new Map<string, AccessCode>();
  const current = (id: string) => changed.get(id) ?? byId.get(id);

  const target = (planned: PlannedCode) => {
    const before = current(planned.codeId);
    changed.set(planned.codeId, {
      id: planned.codeId,
      propertyId: planned.propertyId,
      bookingId: planned.bookingId,
      lockId: planned.lockId,
      passcode: planned.passcode,
      attempt: planned.attempt,
      validFrom: planned.validFrom,
      validTo: planned.validTo,
      // A row coming back from pending_revoke keeps its lock id: the lock still has it, so
      // the job changes it instead of adding a second code.
      lockCodeId: before && before.state !== 'revoked' ? before.lockCodeId : null,
      lockPasscode: before && before.state !== 'revoked' ? before.lockPasscode : null,
      state: 'pending',
      revision: (before?.revision ?? 0) + 1,
      attempts: 0,
      lastError: null,
      updatedAt: now,
    });
  };
  const revoke = (codeId: string) => {
    const before = current(codeId);
    if (!before || before.state === 'revoked' || before.state === 'pending_revoke') return;
    changed.set(codeId, {
      ...before,
      state: 'pending_revoke',
      revision: before.revision + 1,
      lastError: null,
      updatedAt: now,
    });
  };

  for (const op of p.operations) {
    switch (op.kind) {
      case 'create':
      case 'reschedule':
        target(op.code);
        break;
      case 'move':
        revoke(op.revoke.codeId);
        target(op.create);
        break;
      case 'revoke':
        revoke(op.codeId);
        break;
      case 'noop':
        break;
    }
  }
  return [...changed.values()];
}
