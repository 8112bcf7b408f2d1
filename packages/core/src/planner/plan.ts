import {
  type AccessCode,
  accessCodeId,
  type BookingRecord,
  type LockAssignment,
  type UnitMapping,
} from '../domain/schemas.js';
import { derivePasscode } from '../passcode/policy.js';
import { type AccessWindow, accessWindow, sameWindow } from '../time/access-window.js';
import { LockOccupancy } from './occupancy.js';
import type {
  Plan,
  PlanInput,
  PlannedCode,
  PlanOperation,
  RevokeReason,
  RevokeTarget,
  SkippedBooking,
} from './types.js';

export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;
/** How a booking's issue starts when a lock of its has no room for its code yet. */
export const LOCK_FULL_ISSUE = 'waiting for space on lock';
export const DEFAULT_FAILED_RETRY_MS = 30 * 60 * 1000;
/** Passcode attempts tried per booking before giving up (each is a fresh keyed hash). */
const MAX_PASSCODE_ATTEMPTS = 200;

/** The (roomId, unitName) a booking occupies, or why it has none. */
export function resolveUnit(
  booking: Pick<BookingRecord, 'roomId' | 'unitName' | 'resourceId'>,
  mappingsByResource: Map<string, UnitMapping>,
): { roomId: string; unitName: string } | { reason: string } {
  if (booking.roomId && booking.unitName) return { roomId: booking.roomId, unitName: booking.unitName };
  if (!booking.resourceId) return { reason: 'no unit assigned in the PMS' };
  const mapping = mappingsByResource.get(booking.resourceId);
  if (!mapping) return { reason: `unmapped unit: PMS resource ${booking.resourceId} has no unit mapping` };
  return { roomId: mapping.roomId, unitName: mapping.unitName };
}

function indexMappings(mappings: UnitMapping[]): Map<string, UnitMapping> {
  const byResource = new Map<string, UnitMapping>();
  // Primary mappings win when a resource is mapped twice.
  for (const m of [...mappings].sort((a, b) => Number(a.primary) - Number(b.primary)))
    byResource.set(m.resourceId, m);
  return byResource;
}

function indexLocks(assignments: LockAssignment[]): {
  byUnit: Map<string, string[]>;
  propertyWide: string[];
} {
  const byUnit = new Map<string, string[]>();
  const propertyWide = new Set<string>();
  for (const a of assignments) {
    if (a.scope === 'property') propertyWide.add(a.lockId);
    else {
      const key = unitKey(a.roomId, a.unitName);
      const list = byUnit.get(key);
      if (!list) byUnit.set(key, [a.lockId]);
      else if (!list.includes(a.lockId)) list.push(a.lockId);
    }
  }
  return { byUnit, propertyWide: [...propertyWide].sort() };
}

const unitKey = (roomId: string, unitName: string) => `${roomId}\u0000${unitName}`;

/**
 * Desired codes (from bookings, unit mappings, lock assignments, access window and passcode
 * policy) against the codes the store holds → the operations that make them equal. Pure:
 * same input, same plan; nothing is read or written.
 */
export function plan(input: PlanInput): Plan {
  const { property, now, policy } = input;
  const graceMs = input.graceMs ?? DEFAULT_GRACE_MS;
  const failedRetryMs = input.failedRetryMs ?? DEFAULT_FAILED_RETRY_MS;
  /**
   * A code that failed with a retryable error (its job's retry budget ran out during an outage)
   * gets a fresh budget once `failedRetryMs` has passed since the failure: a half-open circuit,
   * so an outage heals by itself without hammering a dead gateway. A lock that was full
   * (`CapacityError`) is tried again the same way: codes come off as stays end. Codes refused
   * for good (permanent, validation or duplicate errors) wait for a change or a reissue.
   */
  const retryFailed = (code: AccessCode) =>
    code.state === 'failed' &&
    !/^(PermanentError|ValidationError|DuplicateCodeError)\b/.test(code.lastError ?? '') &&
    nowMs - code.updatedAt.getTime() >= failedRetryMs;
  const nowMs = now.getTime();
  const mappings = indexMappings(input.mappings);
  const locks = indexLocks(input.assignments);
  const ownerOf = (bookingId: string) => `${property.id}\u0000${bookingId}`;
  // The sorted locks of a unit (its own and the common doors), computed once per unit.
  // Shared between bookings: callers only read it. Looked up by room, then unit name (the
  // booking's own strings): a key built per booking was a string allocated per booking.
  const unitLockIds = new Map<string, Map<string, string[]>>();
  const lockIdsOf = (roomId: string, unitName: string): string[] => {
    let room = unitLockIds.get(roomId);
    if (!room) {
      room = new Map();
      unitLockIds.set(roomId, room);
    }
    let ids = room.get(unitName);
    if (!ids) {
      const own = locks.byUnit.get(unitKey(roomId, unitName)) ?? [];
      ids = [...new Set([...own, ...locks.propertyWide])].sort();
      room.set(unitName, ids);
    }
    return ids;
  };
  // Many bookings share their dates, and the zone arithmetic (luxon, Intl) is most of the
  // planner's time on large inputs: compute each distinct window once per plan. Bookings with
  // the same dates share the window's Date objects (nothing in the SDK mutates a Date). Keyed
  // by start, then end (an instant's number or a local date), without a string per booking.
  const windows = new Map<number | string, Map<number | string, AccessWindow>>();
  const windowOf = (booking: BookingRecord): AccessWindow => {
    const start = booking.checkInAt?.getTime() ?? booking.arrivalDate;
    const end = booking.checkOutAt?.getTime() ?? booking.departureDate;
    let byEnd = windows.get(start);
    if (!byEnd) {
      byEnd = new Map();
      windows.set(start, byEnd);
    }
    let w = byEnd.get(end);
    if (!w) {
      w = accessWindow(property, booking);
      byEnd.set(end, w);
    }
    return w;
  };

  // Codes per booking; occupancy of every lock from every code that may be on it.
  const occupancy = new LockOccupancy();
  const codesByBooking = new Map<string, AccessCode[]>();
  for (const code of input.codes) {
    occupancy.add(code.lockId, code.passcode, ownerOf(code.bookingId));
    const list = codesByBooking.get(code.bookingId);
    if (list) list.push(code);
    else codesByBooking.set(code.bookingId, [code]);
  }
  for (const code of input.foreignCodes)
    occupancy.add(code.lockId, code.passcode, `${code.propertyId}\u0000${code.bookingId}`);

  const NONE: AccessCode[] = [];
  const operations: PlanOperation[] = [];
  const desired: PlannedCode[] = [];
  const skipped: SkippedBooking[] = [];
  const bookings = [...input.bookings].sort((a, b) =>
    a.bookingId < b.bookingId ? -1 : a.bookingId > b.bookingId ? 1 : 0,
  );
  const seen = new Set<string>();

  for (const booking of bookings) {
    // Most bookings of a large plan have no code yet: no per-booking arrays for them.
    const existing = codesByBooking.get(booking.bookingId);
    // Only bookings with codes need remembering: `seen` is asked about `codesByBooking`'s keys.
    if (existing !== undefined) seen.add(booking.bookingId);
    const live =
      existing === undefined
        ? NONE
        : existing.sort((a, b) => (a.lockId < b.lockId ? -1 : 1)).filter((c) => c.state !== 'pending_revoke');
    const target = desiredFor(booking);
    if ('reason' in target) {
      skipped.push({ bookingId: booking.bookingId, reason: target.reason });
      for (const code of live) operations.push(revokeOp(code, target.revokeReason));
      continue;
    }
    const { window, lockIds, keepOnly } = target;
    if (keepOnly) {
      // The window has ended: no new code, but codes already on locks stay until the grace ends.
      for (const code of live) {
        if (code.validTo.getTime() + graceMs <= nowMs) operations.push(revokeOp(code, 'expired'));
        else {
          operations.push({ kind: 'noop', codeId: code.id, bookingId: code.bookingId, lockId: code.lockId });
          desired.push(toPlanned(code));
        }
      }
      skipped.push({ bookingId: booking.bookingId, reason: 'access window has ended' });
      continue;
    }

    const chosen = choosePasscode(booking, live, lockIds, window);
    if ('reason' in chosen) {
      skipped.push({ bookingId: booking.bookingId, reason: chosen.reason });
    }
    if (!('reason' in chosen) && live.length === 0) {
      // Nothing on any lock yet (the common case of a large plan): every wanted code is a create.
      for (const lockId of chosen.lockIds) {
        const create = plannedCode(property.id, booking.bookingId, lockId, chosen, window);
        desired.push(create);
        operations.push({ kind: 'create', code: create });
      }
      continue;
    }
    const wanted = new Map<string, PlannedCode>();
    if (!('reason' in chosen)) {
      for (const lockId of chosen.lockIds)
        wanted.set(lockId, plannedCode(property.id, booking.bookingId, lockId, chosen, window));
    }
    const creates: PlannedCode[] = [];
    const revokes: AccessCode[] = [];
    for (const code of live) {
      const want = wanted.get(code.lockId);
      if (!want) {
        revokes.push(code);
        continue;
      }
      wanted.delete(code.lockId);
      desired.push(want);
      const passcodeChanged = code.passcode !== want.passcode;
      const unchanged = !passcodeChanged && code.attempt === want.attempt && sameWindow(code, want);
      if (unchanged && !retryFailed(code)) {
        operations.push({ kind: 'noop', codeId: code.id, bookingId: code.bookingId, lockId: code.lockId });
      } else {
        operations.push({
          kind: 'reschedule',
          code: want,
          previous: { passcode: code.passcode, validFrom: code.validFrom, validTo: code.validTo },
          passcodeChanged,
        });
      }
    }
    for (const want of wanted.values()) {
      creates.push(want);
      desired.push(want);
    }
    // The common case of a re-plan: every code stays (a noop or a reschedule).
    if (creates.length === 0 && revokes.length === 0) continue;
    // A unit lock left for another unit lock is a move: the guest changed rooms.
    const unitRevokes = revokes.filter((c) => !locks.propertyWide.includes(c.lockId));
    const otherRevokes = revokes.filter((c) => locks.propertyWide.includes(c.lockId));
    for (const create of creates) {
      const from = locks.propertyWide.includes(create.lockId) ? undefined : unitRevokes.shift();
      if (from) operations.push({ kind: 'move', revoke: revokeTarget(from, 'moved'), create });
      else operations.push({ kind: 'create', code: create });
    }
    for (const code of [...unitRevokes, ...otherRevokes]) operations.push(revokeOp(code, 'unassigned'));
  }

  // Codes whose booking is gone from the store: nothing justifies them any more.
  for (const [bookingId, codes] of codesByBooking) {
    if (seen.has(bookingId)) continue;
    for (const code of codes)
      if (code.state !== 'pending_revoke') operations.push(revokeOp(code, 'booking_missing'));
  }

  const capacity = input.maxCodesPerLock ?? null;
  if (capacity === null) return { propertyId: property.id, operations, desired, skipped };
  return withinCapacity(
    { propertyId: property.id, operations, desired, skipped },
    input.codes,
    input.foreignCodes,
    capacity,
    nowMs,
  );

  function desiredFor(
    booking: BookingRecord,
  ):
    | { window: AccessWindow; lockIds: string[]; keepOnly: boolean }
    | { reason: string; revokeReason: RevokeReason } {
    if (booking.status === 'cancelled') return { reason: 'cancelled', revokeReason: 'cancelled' };
    if (booking.status !== 'confirmed') {
      return { reason: `status ${booking.status}: not confirmed`, revokeReason: 'not_confirmed' };
    }
    const unit = resolveUnit(booking, mappings);
    if ('reason' in unit) return { reason: unit.reason, revokeReason: 'unmapped' };
    const lockIds = lockIdsOf(unit.roomId, unit.unitName);
    if (lockIds.length === 0) {
      return {
        reason: `no lock assigned to unit ${unit.roomId}/${unit.unitName}`,
        revokeReason: 'unassigned',
      };
    }
    let window: AccessWindow;
    try {
      window = windowOf(booking);
    } catch (error) {
      return {
        reason: `cannot compute access window: ${(error as Error).message}`,
        revokeReason: 'unmapped',
      };
    }
    if (window.validTo.getTime() <= window.validFrom.getTime()) {
      return {
        reason: 'empty access window (check-out is not after check-in)',
        revokeReason: 'not_confirmed',
      };
    }
    return { window, lockIds, keepOnly: window.validTo.getTime() <= nowMs };
  }

  /**
   * The booking keeps its digits while they stay unique on all its locks; a reissue (or a
   * foreign duplicate found on a lock) bumps `passcodeAttempt` and asks for new digits.
   * After check-in, digits only change on such an explicit request: a collision on a new lock
   * then leaves that lock without a code and says why, rather than changing a guest's PIN.
   */
  function choosePasscode(
    booking: BookingRecord,
    live: AccessCode[],
    lockIds: string[],
    window: AccessWindow,
  ): { passcode: string; attempt: number; lockIds: string[] } | { reason: string } {
    const owner = ownerOf(booking.bookingId);
    const current = live[0];
    const mustChange = current !== undefined && current.attempt < booking.passcodeAttempt;
    if (current && !mustChange) {
      // No array unless there is a conflict: a re-plan asks this for every booking.
      let conflicts: string[] | null = null;
      for (const l of lockIds) {
        if (occupancy.isFree(l, current.passcode, owner)) continue;
        conflicts ??= [];
        conflicts.push(l);
      }
      if (conflicts === null) return use(current.passcode, current.attempt, lockIds);
      const checkedIn =
        window.validFrom.getTime() <= nowMs || live.some((c) => c.validFrom.getTime() <= nowMs);
      if (checkedIn) {
        const usable = lockIds.filter((l) => !conflicts.includes(l));
        const result = use(current.passcode, current.attempt, usable);
        return usable.length
          ? result
          : {
              reason: `passcode already taken on lock ${conflicts.join(', ')} after check-in; reissue needed`,
            };
      }
    }
    const start = Math.max(booking.passcodeAttempt, current ? current.attempt + (mustChange ? 0 : 1) : 0);
    for (let attempt = start; attempt < start + MAX_PASSCODE_ATTEMPTS; attempt++) {
      const passcode = derivePasscode(policy, property.id, booking.bookingId, attempt);
      if (lockIds.every((l) => occupancy.isFree(l, passcode, owner))) return use(passcode, attempt, lockIds);
    }
    return { reason: `no free passcode found on locks ${lockIds.join(', ')}` };

    function use(passcode: string, attempt: number, on: string[]) {
      // The booking's old digits leave the locks that get new ones. Codes being revoked stay
      // on their locks until removed, so their digits stay taken; digits that do not change
      // stay as they are (a re-plan of an unchanged property touches nothing here).
      for (const code of live)
        if (code.passcode !== passcode && on.includes(code.lockId))
          occupancy.remove(code.lockId, code.passcode, owner);
      for (const l of on) occupancy.add(l, passcode, owner);
      return { passcode, attempt, lockIds: on };
    }
  }
}

/**
 * A lock holds a limited number of codes (often 250, counting every code on it, expired or
 * not). Every code row we keep for a lock — on it, on its way, being taken off, or failed —
 * counts against that, with the codes of other properties sharing the door. The lock holds
 * the soonest stays: new codes are admitted soonest window first, and a code of a stay that
 * has not started gives its place to a sooner stay (it is taken off and comes back when there
 * is room; its guest keeps the same PIN). Codes not on the lock because of this are not
 * created; their booking gets an issue saying so, its PMS write-back waits (the guest is never
 * sent a PIN that door does not know), and a later plan admits them once ended codes have
 * come off. Stays under way, codes being taken off and failed rows are never moved.
 */
function withinCapacity(
  p: Plan,
  own: AccessCode[],
  foreign: AccessCode[],
  capacity: number,
  nowMs: number,
): Plan {
  const planned = new Map(p.desired.map((c) => [c.codeId, c]));
  const leaving = new Set<string>();
  for (const op of p.operations) {
    if (op.kind === 'revoke') leaving.add(op.codeId);
    else if (op.kind === 'move') leaving.add(op.revoke.codeId);
  }
  // Places nobody can take, and the codes that may give theirs up, per lock.
  const fixed = new Map<string, number>();
  const contenders = new Map<string, PlannedCode[]>();
  const contend = (code: PlannedCode) => {
    const list = contenders.get(code.lockId);
    if (list) list.push(code);
    else contenders.set(code.lockId, [code]);
  };
  // A failed code that never reached the lock holds no place; retried, it asks for one anew.
  const retrying = new Set<PlannedCode>();
  for (const row of foreign) fixed.set(row.lockId, (fixed.get(row.lockId) ?? 0) + 1);
  for (const row of own) {
    const target = planned.get(row.id);
    if (row.state === 'failed' && row.lockCodeId === null) {
      if (target && !leaving.has(row.id)) retrying.add(target);
      continue;
    }
    const movable =
      target !== undefined &&
      !leaving.has(row.id) &&
      (row.state === 'active' || row.state === 'pending') &&
      row.validFrom.getTime() > nowMs &&
      target.validFrom.getTime() > nowMs;
    if (movable) contend(target);
    else fixed.set(row.lockId, (fixed.get(row.lockId) ?? 0) + 1);
  }
  const created = (op: PlanOperation) =>
    op.kind === 'create' ? op.code : op.kind === 'move' ? op.create : null;
  let anyNew = false;
  for (const op of p.operations) {
    const code = created(op) ?? (op.kind === 'reschedule' && retrying.has(op.code) ? op.code : null);
    if (code) {
      contend(code);
      anyNew = true;
    }
  }
  if (!anyNew) return p;

  const out = new Set<PlannedCode>();
  for (const [lockId, codes] of contenders) {
    const room = Math.max(0, capacity - (fixed.get(lockId) ?? 0));
    if (codes.length <= room) continue;
    codes.sort(
      (a, b) =>
        a.validFrom.getTime() - b.validFrom.getTime() ||
        (a.bookingId < b.bookingId ? -1 : a.bookingId > b.bookingId ? 1 : 0),
    );
    for (const code of codes.slice(room)) out.add(code);
  }
  if (out.size === 0) return p;
  const operations: PlanOperation[] = [];
  for (const op of p.operations) {
    const code = created(op) ?? (op.kind === 'reschedule' ? op.code : null);
    const gone = code !== null && out.has(code);
    const staying = op.kind === 'noop' && out.has(planned.get(op.codeId)!);
    if (staying || (gone && op.kind === 'reschedule' && !retrying.has(op.code))) {
      // Already ours on the lock (or on its way): it makes room for a sooner stay.
      const { codeId, bookingId, lockId } = staying ? op : (code as PlannedCode);
      operations.push({ kind: 'revoke', codeId, bookingId, lockId, reason: 'lock_full' });
    } else if (!gone) operations.push(op);
    // A room move whose new lock is full still takes the guest's code off the old room.
    else if (op.kind === 'move') operations.push({ kind: 'revoke', ...op.revoke });
  }
  const waiting = new Map<string, string[]>();
  for (const code of out) waiting.set(code.bookingId, [...(waiting.get(code.bookingId) ?? []), code.lockId]);
  const skipped = [
    ...p.skipped,
    ...[...waiting].map(([bookingId, lockIds]) => ({
      bookingId,
      reason: `${LOCK_FULL_ISSUE} ${lockIds.sort().join(', ')} (it holds ${capacity} codes): the code is added once sooner stays' codes come off`,
    })),
  ];
  return { ...p, operations, desired: p.desired.filter((c) => !out.has(c)), skipped };
}

function plannedCode(
  propertyId: string,
  bookingId: string,
  lockId: string,
  chosen: { passcode: string; attempt: number },
  window: AccessWindow,
): PlannedCode {
  return {
    codeId: accessCodeId(propertyId, bookingId, lockId),
    propertyId,
    bookingId,
    lockId,
    passcode: chosen.passcode,
    attempt: chosen.attempt,
    validFrom: window.validFrom,
    validTo: window.validTo,
  };
}

function toPlanned(code: AccessCode): PlannedCode {
  return {
    codeId: code.id,
    propertyId: code.propertyId,
    bookingId: code.bookingId,
    lockId: code.lockId,
    passcode: code.passcode,
    attempt: code.attempt,
    validFrom: code.validFrom,
    validTo: code.validTo,
  };
}

function revokeTarget(code: AccessCode, reason: RevokeReason): RevokeTarget {
  return { codeId: code.id, bookingId: code.bookingId, lockId: code.lockId, reason };
}

function revokeOp(code: AccessCode, reason: RevokeReason): PlanOperation {
  return { kind: 'revoke', ...revokeTarget(code, reason) };
}

/** Operations that change something (everything but `noop`). */
export function changesOf(p: Plan): PlanOperation[] {
  return p.operations.filter((op) => op.kind !== 'noop');
}

export function summarizePlan(p: Plan): Record<PlanOperation['kind'], number> & { skipped: number } {
  const counts = { create: 0, reschedule: 0, move: 0, revoke: 0, noop: 0, skipped: p.skipped.length };
  for (const op of p.operations) counts[op.kind]++;
  return counts;
}
