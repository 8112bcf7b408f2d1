import {
  type AccessCode,
  type Booking,
  type BookingRecord,
  initialBookingState,
  type Property,
} from '../domain/schemas.js';
import { TransientError, ValidationError } from '../errors/errors.js';
import { applyPlan } from '../planner/apply.js';
import { plan as computePlan, LOCK_FULL_ISSUE, resolveUnit, summarizePlan } from '../planner/plan.js';
import type { Plan } from '../planner/types.js';
import { JOB_PRIORITY_RANGE } from '../ports/job-priority.js';
import type { NewJob, Store } from '../ports/store.js';
import { addDays, localDateOf } from '../time/access-window.js';
import { type EngineContext, JOB_KINDS, lockJob, planJobKey, writeBackJobKey } from './context.js';

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
  return computePlan({
    ...input,
    policy: ctx.policy,
    graceMs: ctx.graceMs,
    failedRetryMs: ctx.failedRetryMs,
    maxCodesPerLock: ctx.lock.capabilities.maxCodesPerLock,
  });
}

/**
 * Plan a property and persist the result in one transaction: changed code rows and one lock
 * job per changed code (de-duplicated while queued), plus booking issues. Existing rows are
 * patched with compare-and-set on their revision and without touching what the lock holds
 * (`lockCodeId`, `lockPasscode`), so a lock job finishing meanwhile is never overwritten.
 */
export async function planAndPersist(ctx: EngineContext, propertyId: string): Promise<Plan> {
  return retryOnConflict(propertyId, () =>
    ctx.store.transaction(async (store) => {
      const property = await requireProperty(store, propertyId);
      const input = await loadPlanInput(ctx, store, property);
      return persistPlan(ctx, store, input, async () =>
        (await store.listAccessCodes({ propertyId, includeRevoked: true })).filter(
          (c) => c.state === 'revoked',
        ),
      );
    }),
  );
}

/** A code row changed between our read and our write: another plan (another worker) got there first. */
class PlanConflict extends Error {}

const PLAN_TRIES = 5;

/**
 * Two plans of one property at once (several workers syncing together, a webhook follow-up
 * beside a full sync) read the same rows; the compare-and-set on each row's revision lets
 * only one write. The other must not keep going on what it read: its transaction rolls back
 * and it plans again from what the first committed (usually finding nothing left to do).
 */
async function retryOnConflict<T>(propertyId: string, run: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof PlanConflict)) throw error;
      if (tries >= PLAN_TRIES)
        throw new TransientError(
          `planning property ${propertyId} kept colliding with concurrent plans (${tries} tries)`,
        );
    }
  }
}

/**
 * Plan and persist only these bookings (webhook follow-ups): their codes are planned against
 * every code on the locks they use (the rest of the property's codes count as taken digits,
 * exactly as in a full plan), and nothing else of the property is read or touched. A burst of
 * webhooks then costs work in proportion to the bookings it names, not to the property; the
 * property-wide housekeeping (codes of vanished bookings, mapping changes) stays with the
 * full plan of every sync.
 */
export async function planAndPersistBookings(
  ctx: EngineContext,
  propertyId: string,
  bookingIds: string[],
): Promise<Plan> {
  return retryOnConflict(propertyId, () =>
    ctx.store.transaction(async (store) => {
      const property = await requireProperty(store, propertyId);
      const input = await loadBookingsPlanInput(ctx, store, property, [...new Set(bookingIds)]);
      const p = await persistPlan(ctx, store, input, async (ids) =>
        (await store.listAccessCodes({ propertyId, bookingIds: ids, includeRevoked: true })).filter(
          (c) => c.state === 'revoked',
        ),
      );
      // Only a plan of the whole property may make room on a full lock (it sees every code
      // there): a booking of this batch left waiting asks for one now, not at the next sync.
      if (p.skipped.some((s) => s.reason.startsWith(LOCK_FULL_ISSUE)))
        await store.enqueueJobs(
          [{ kind: JOB_KINDS.plan, propertyId, payload: {}, dedupeKey: planJobKey(propertyId) }],
          input.now,
        );
      return p;
    }),
  );
}

type PlanInputs = Awaited<ReturnType<typeof loadPlanInput>>;

/** The planner's input for a few bookings: their codes, and every other code on their locks as taken. */
async function loadBookingsPlanInput(
  ctx: EngineContext,
  store: Store,
  property: Property,
  bookingIds: string[],
): Promise<PlanInputs> {
  const now = ctx.clock.now();
  const [mappings, assignments] = await Promise.all([
    store.listUnitMappings(property.id),
    store.listLockAssignments(property.id),
  ]);
  // Two reads for the whole batch: this runs inside the plan's write transaction, and on
  // SQLite a write transaction holds the database's only write lock (a webhook ack waits).
  const [bookings, codes] = await Promise.all([
    store.listBookings(property.id, { bookingIds }),
    store.listAccessCodes({ propertyId: property.id, bookingIds }),
  ]);
  // Every lock these bookings may use: their unit's locks, the common doors, where they hold codes.
  const byResource = new Map(mappings.map((m) => [m.resourceId, m]));
  const units = new Set<string>();
  for (const b of bookings) {
    const unit = resolveUnit(b, byResource);
    if ('roomId' in unit) units.add(`${unit.roomId}\u0000${unit.unitName}`);
  }
  const lockIds = new Set(codes.map((c) => c.lockId));
  for (const a of assignments) {
    if (a.scope === 'property' || units.has(`${a.roomId}\u0000${a.unitName}`)) lockIds.add(a.lockId);
  }
  const mine = new Set(codes.map((c) => c.id));
  const foreignCodes = lockIds.size
    ? (await store.listAccessCodes({ lockIds: [...lockIds] })).filter((c) => !mine.has(c.id))
    : [];
  return { property, bookings, mappings, assignments, codes, foreignCodes, now };
}

/** Plan `input`, then write the changed rows, their lock jobs, a write-back job and booking issues. */
async function persistPlan(
  ctx: EngineContext,
  store: Store,
  input: PlanInputs,
  revokedOf: (bookingIds: string[]) => Promise<AccessCode[]>,
): Promise<Plan> {
  const propertyId = input.property.id;
  const p = computePlan({
    ...input,
    policy: ctx.policy,
    graceMs: ctx.graceMs,
    failedRetryMs: ctx.failedRetryMs,
    maxCodesPerLock: ctx.lock.capabilities.maxCodesPerLock,
  });
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
    if (!(await store.updateAccessCode(id, target, { expectedRevision: old.revision })))
      throw new PlanConflict(id);
  }
  // Rows not in `codes` are written whole: revoked history coming back replaces its row
  // (compare-and-set on the revision), new rows are inserted only where the id is free. A
  // row that is there when it should not be was written by a concurrent plan.
  const revokedHistory = fresh.length
    ? new Map((await revokedOf([...new Set(fresh.map((r) => r.bookingId))])).map((c) => [c.id, c]))
    : new Map<string, AccessCode>();
  const brandNew: AccessCode[] = [];
  for (const row of fresh) {
    const old = revokedHistory.get(row.id);
    if (!old) {
      brandNew.push(row);
      continue;
    }
    const { id, ...whole } = row;
    if (
      !(await store.updateAccessCode(
        id,
        { ...whole, revision: old.revision + 1 },
        { expectedRevision: old.revision },
      ))
    )
      throw new PlanConflict(id);
  }
  const taken = await store.insertAccessCodes(brandNew);
  if (taken.length) throw new PlanConflict(taken[0]!);
  const jobs: NewJob[] = changed.map((row) => lockJob(row, input.now));
  // A code taken off a full lock to make room for a sooner stay: the add of that stay counts
  // on the place, so the removal goes before every add of this plan on that lock.
  const makingRoom = new Set(
    p.operations.flatMap((op) => (op.kind === 'revoke' && op.reason === 'lock_full' ? [op.codeId] : [])),
  );
  if (makingRoom.size) {
    const firstAdd = new Map<string, number>();
    changed.forEach((row, i) => {
      if (row.state === 'pending_revoke') return;
      const priority = jobs[i]!.priority ?? 0;
      firstAdd.set(row.lockId, Math.min(firstAdd.get(row.lockId) ?? priority, priority));
    });
    changed.forEach((row, i) => {
      const before = firstAdd.get(row.lockId);
      if (makingRoom.has(row.id) && before !== undefined)
        jobs[i]!.priority = Math.max(JOB_PRIORITY_RANGE.min, Math.min(jobs[i]!.priority ?? 0, before - 1));
    });
  }
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
}

/** Keep `issue` on each booking in step with why it gets no code (or null when it does). */
async function recordIssues(store: Store, bookings: BookingRecord[], p: Plan, now: Date): Promise<void> {
  const reasons = new Map(p.skipped.map((s) => [s.bookingId, s.reason]));
  for (const b of bookings) {
    const issue = reasons.get(b.bookingId) ?? null;
    if (issue !== b.issue) await store.updateBookingState(b.propertyId, b.bookingId, { issue }, now);
  }
}
