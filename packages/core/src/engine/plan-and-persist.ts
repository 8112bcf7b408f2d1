import {
  type AccessCode,
  type Booking,
  type BookingRecord,
  initialBookingState,
  type Property,
} from '../domain/schemas.js';
import { ValidationError } from '../errors/errors.js';
import { applyPlan } from '../planner/apply.js';
import { plan as computePlan, summarizePlan } from '../planner/plan.js';
import type { Plan } from '../planner/types.js';
import type { NewJob, Store } from '../ports/store.js';
import { addDays, localDateOf } from '../time/access-window.js';
import { type EngineContext, JOB_KINDS, lockJobKey, writeBackJobKey } from './context.js';

export async function requireProperty(store: Store, propertyId: string): Promise<Property> {
  const property = await store.getProperty(propertyId);
  if (!property) throw new ValidationError('propertyId', `unknown property ${propertyId}`);
  return property;
}

/** Everything the planner needs, read from the store. */
async function loadPlanInput(ctx: EngineContext, store: Store, property: Property) {
  const now = ctx.clock.now();
  const [mappings, assignments, codes] = await Promise.all([
    store.listUnitMappings(property.id),
    store.listLockAssignments(property.id),
    store.listAccessCodes({ propertyId: property.id }),
  ]);
  // Bookings that ended long ago only matter through codes they still hold.
  const graceDays = Math.ceil(ctx.graceMs / 86_400_000) + 2;
  const since = addDays(localDateOf(now, property.timezone), -graceDays);
  const bookings = await store.listBookings(property.id, { departingOnOrAfter: since });
  const known = new Set(bookings.map((b) => b.bookingId));
  const older = [...new Set(codes.map((c) => c.bookingId).filter((id) => !known.has(id)))];
  for (const id of older) {
    const b = await store.getBooking(property.id, id);
    if (b) bookings.push(b);
  }
  const lockIds = [...new Set([...assignments.map((a) => a.lockId), ...codes.map((c) => c.lockId)])];
  const foreignCodes = lockIds.length
    ? (await store.listAccessCodes({ lockIds })).filter((c) => c.propertyId !== property.id)
    : [];
  return { property, bookings, mappings, assignments, codes, foreignCodes, now };
}

/**
 * A dry run: the plan for a property, nothing written. With `fresh` bookings (read from the
 * PMS by the caller) they stand in for the stored ones, so the plan shows what a sync would do.
 */
export async function planOnly(ctx: EngineContext, propertyId: string, fresh?: Booking[]): Promise<Plan> {
  const property = await requireProperty(ctx.store, propertyId);
  const input = await loadPlanInput(ctx, ctx.store, property);
  if (fresh) {
    const byId = new Map(input.bookings.map((b) => [b.bookingId, b]));
    for (const b of fresh) {
      const stored = byId.get(b.bookingId);
      byId.set(b.bookingId, { ...(stored ?? initialBookingState(input.now)), ...b });
    }
    input.bookings = [...byId.values()];
  }
  return computePlan({ ...input, policy: ctx.policy, graceMs: ctx.graceMs });
}

/**
 * Plan a property and persist the result in one transaction: changed code rows and one lock
 * job per changed code (de-duplicated while queued), plus booking issues. Existing rows are
 * patched with compare-and-set on their revision and without touching what the lock holds
 * (`lockCodeId`, `lockPasscode`), so a lock job finishing meanwhile is never overwritten.
 */
export async function planAndPersist(ctx: EngineContext, propertyId: string): Promise<Plan> {
  return ctx.store.transaction(async (store) => {
    const property = await requireProperty(store, propertyId);
    const input = await loadPlanInput(ctx, store, property);
    const p = computePlan({ ...input, policy: ctx.policy, graceMs: ctx.graceMs });
    const before = new Map(input.codes.map((c) => [c.id, c]));
    const changed = applyPlan(input.codes, p, input.now);
    const fresh: AccessCode[] = [];
    for (const row of changed) {
      const old = before.get(row.id);
      if (!old) {
        fresh.push(row);
        continue;
      }
      const { lockCodeId: _id, lockPasscode: _digits, id, ...target } = row;
      await store.updateAccessCode(id, target, { expectedRevision: old.revision });
    }
    // Rows not in `codes` (new, or revoked history coming back) are written whole.
    const revokedHistory = fresh.length
      ? new Map(
          (await store.listAccessCodes({ propertyId, includeRevoked: true }))
            .filter((c) => c.state === 'revoked')
            .map((c) => [c.id, c]),
        )
      : new Map<string, AccessCode>();
    await store.saveAccessCodes(
      fresh.map((row) => {
        const old = revokedHistory.get(row.id);
        return old ? { ...row, revision: old.revision + 1 } : row;
      }),
    );
    const jobs: NewJob[] = changed.map((row) => ({
      kind: JOB_KINDS.lock,
      propertyId,
      payload: { codeId: row.id },
      dedupeKey: lockJobKey(row.id),
    }));
    if (changed.length) {
      jobs.push({
        kind: JOB_KINDS.writeBack,
        propertyId,
        payload: {},
        dedupeKey: writeBackJobKey(propertyId),
      });
    }
    await store.enqueueJobs(jobs, input.now);
    await recordIssues(store, input.bookings, p, input.now);
    ctx.emit({ type: 'plan', propertyId, counts: summarizePlan(p), jobs: jobs.length });
    return p;
  });
}

/** Keep `issue` on each booking in step with why it gets no code (or null when it does). */
async function recordIssues(store: Store, bookings: BookingRecord[], p: Plan, now: Date): Promise<void> {
  const reasons = new Map(p.skipped.map((s) => [s.bookingId, s.reason]));
  for (const b of bookings) {
    const issue = reasons.get(b.bookingId) ?? null;
    if (issue !== b.issue) await store.updateBookingState(b.propertyId, b.bookingId, { issue }, now);
  }
}
