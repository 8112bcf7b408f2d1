import type { PropertyStatus } from '@brafa/core';
import type { Violation } from './invariants.js';

/** What `brafa run --json` prints. */
export interface RunJson {
  syncs: Array<{ propertyId: string; bookings: number; quarantined: number; operations: number }>;
  errors: Array<{ propertyId: string; error: string }>;
  dispatch?: { processed: number; succeeded: number; retried: number; dead: number };
  statuses: PropertyStatus[];
}

/** Every failure an operator sees must say why. */
export function failuresWithoutReason(statuses: PropertyStatus[]): string[] {
  const out: string[] = [];
  for (const s of statuses) {
    for (const f of s.failures)
      if (!f.reason?.trim())
        out.push(`${s.propertyId}: booking ${f.bookingId} lock ${f.lockId} failed without a reason`);
    for (const i of s.bookingIssues)
      if (!i.issue?.trim()) out.push(`${s.propertyId}: booking ${i.bookingId} has an issue without text`);
    for (const w of s.writeBackErrors)
      if (!w.error?.trim())
        out.push(`${s.propertyId}: booking ${w.bookingId} write-back failed without a reason`);
    for (const d of s.deadJobs)
      if (!d.error?.trim()) out.push(`${s.propertyId}: dead job ${d.id} (${d.kind}) without a reason`);
  }
  return out;
}

/**
 * A violation on the sandbox is "visible" when `brafa status` (or the run's own errors)
 * names it: a failure on that booking and lock, a write-back error or issue on the booking,
 * or a failed sync of its property (then the operator sees that nothing was refreshed).
 */
export function unexplained(violations: Violation[], run: RunJson): Violation[] {
  return violations.filter((v) => {
    if (run.errors.some((e) => e.propertyId === v.propertyId)) return false;
    const s = run.statuses.find((x) => x.propertyId === v.propertyId);
    if (!s || v.bookingId === null) return true;
    const onBooking = (f: { bookingId: string }) => f.bookingId === v.bookingId;
    if (v.lockId !== null && s.failures.some((f) => onBooking(f) && f.lockId === String(v.lockId)))
      return false;
    if (v.lockId === null && s.failures.some(onBooking)) return false;
    if (s.writeBackErrors.some(onBooking) || s.bookingIssues.some(onBooking)) return false;
    if (s.writeBackPending.some(onBooking)) return false;
    return true;
  });
}
