import type { InspectedCode, Sandbox, WorldReservation } from '@brafa/sandbox';

/** One broken promise, named so it can be found: which booking, which lock, at which step. */
export interface Violation {
  step: string;
  propertyId: string;
  bookingId: string | null;
  lockId: number | null;
  message: string;
}

export function formatViolation(v: Violation): string {
  const where = [
    `property ${v.propertyId}`,
    v.bookingId ? `booking ${v.bookingId}` : null,
    v.lockId !== null ? `lock ${v.lockId}` : null,
  ]
    .filter(Boolean)
    .join(' ');
  return `[step ${v.step}] ${where}: ${v.message}`;
}

export interface InvariantOptions {
  step: string;
  now: Date;
  /** Bookings whose window ended within this long may still hold a code (engine default 24 h). */
  graceMs?: number;
  /** The config's sync window reaches this far ahead (CLI default: 30 days). */
  horizonMs?: number;
  /** Beds24 info-item code the provider owns. */
  infoItemCode?: string;
  /** Check the locks only, not the PMS write-back (default: both). */
  locksOnly?: boolean;
}

const DAY = 86_400_000;
const CODE_PREFIX = 'brafa:';
/** States that give a code (mews.md §6.4 via the provider's mapping); Processed is past. */
const CONFIRMED = new Set(['Confirmed', 'Started', 'Processed']);

interface Expectation {
  reservation: WorldReservation;
  kind: 'mews' | 'beds24' | 'bookingfactory';
  /** Locks the guest needs now; empty when the booking must have no code anywhere. */
  locks: number[];
  /** Left alone: ended within the grace period (a code may or may not still be there). */
  indifferent: boolean;
  validFrom: Date;
  validTo: Date;
  resourceId: string | null;
  why: string;
}

/** What the world says each booking should have, computed from the PMS side only. */
function expectations(sandbox: Sandbox, o: InvariantOptions): Map<string, Expectation> {
  const scenario = sandbox.scenario;
  const now = o.now.getTime();
  const grace = o.graceMs ?? DAY;
  const horizon = now + (o.horizonMs ?? 30 * DAY);
  const out = new Map<string, Expectation>();
  for (const property of scenario.world.properties) {
    const units = scenario.units(property.id);
    const entrance = scenario
      .locks(property.id)
      .filter((l) => l.unitName === null)
      .map((l) => l.lockId);
    for (const r of scenario.reservations(property.id)) {
      const unit = r.unitName === null ? undefined : units.find((u) => u.unitName === r.unitName);
      const ended = r.endUtc.getTime() <= now;
      let locks: number[] = [];
      let why = 'confirmed, in window, unit with a lock';
      if (!CONFIRMED.has(r.state)) why = `state ${r.state}`;
      else if (!unit) why = 'no unit assigned';
      else if (ended) why = 'stay has ended';
      else if (r.startUtc.getTime() >= horizon) why = 'beyond the sync horizon';
      else locks = [...(unit.lockId !== null ? [unit.lockId] : []), ...entrance].sort((a, b) => a - b);
      out.set(`${CODE_PREFIX}${r.id}`, {
        reservation: r,
        kind: property.kind,
        locks,
        indifferent:
          (CONFIRMED.has(r.state) && ended && r.endUtc.getTime() + grace > now) ||
          why === 'beyond the sync horizon',
        validFrom: r.startUtc,
        validTo: r.endUtc,
        resourceId: unit?.mewsResourceId ?? null,
        why,
      });
    }
  }
  return out;
}

const iso = (d: Date | null) => d?.toISOString() ?? 'none';

/**
 * The promises of issue 9, checked on the sandbox's state (what the locks and the PMS really
 * hold), never on the store's: every confirmed in-window booking has exactly one on-device
 * code on each lock it needs, with the right window; the PMS shows the same digits (and, for
 * MEWS, the same window); cancelled, moved-away and unassigned bookings have no code and no
 * token; no lock holds the same digits twice; no token or info item without its code.
 */
export function checkInvariants(sandbox: Sandbox, o: InvariantOptions): Violation[] {
  const violations: Violation[] = [];
  const want = expectations(sandbox, o);
  const add = (e: Expectation | undefined, propertyId: string, lockId: number | null, message: string) =>
    violations.push({
      step: o.step,
      propertyId: e?.reservation.propertyId ?? propertyId,
      bookingId: e?.reservation.id ?? null,
      lockId,
      message,
    });
  const infoCode = o.infoItemCode ?? 'BRAFA_KEY';

  // Lock side.
  const digitsOf = new Map<string, Set<string>>();
  for (const lock of sandbox.inspect.locks()) {
    const onDevice = lock.codes.filter((c) => c.onDevice);
    const propertyId = lock.propertyId ?? '?';
    const seen = new Map<string, InspectedCode>();
    for (const code of onDevice) {
      const digits = code.device?.passcode ?? code.passcode;
      const twin = seen.get(digits);
      if (twin)
        add(
          want.get(code.name ?? ''),
          propertyId,
          lock.lockId,
          `digits ${mask(digits)} held twice (codes ${twin.keyboardPwdId} "${twin.name}" and ${code.keyboardPwdId} "${code.name}")`,
        );
      seen.set(digits, code);
      if (!code.inCloud)
        add(
          undefined,
          propertyId,
          lock.lockId,
          `code ${code.keyboardPwdId} is on the device but not in the cloud`,
        );
      const e = want.get(code.name ?? '');
      if (!e) {
        add(
          undefined,
          propertyId,
          lock.lockId,
          `code ${code.keyboardPwdId} "${code.name}" belongs to no booking`,
        );
        continue;
      }
      if (e.indifferent) continue;
      if (!e.locks.includes(lock.lockId)) {
        add(
          e,
          propertyId,
          lock.lockId,
          `holds code ${code.keyboardPwdId} (${iso(code.device?.startDate ?? null)} -> ${iso(code.device?.endDate ?? null)}) but must not: ${e.locks.length ? `the booking needs locks ${e.locks.join(', ')}` : e.why}`,
        );
      }
    }
    for (const [name, e] of want) {
      if (e.indifferent || !e.locks.includes(lock.lockId)) continue;
      const mine = onDevice.filter((c) => c.name === name);
      if (mine.length !== 1) {
        add(e, propertyId, lock.lockId, `expected exactly one active code, found ${mine.length}`);
        continue;
      }
      const code = mine[0]!;
      const device = code.device!;
      if (
        device.startDate?.getTime() !== e.validFrom.getTime() ||
        device.endDate?.getTime() !== e.validTo.getTime()
      ) {
        add(
          e,
          propertyId,
          lock.lockId,
          `window on the lock ${iso(device.startDate)} -> ${iso(device.endDate)}, expected ${iso(e.validFrom)} -> ${iso(e.validTo)}`,
        );
      }
      const digits = digitsOf.get(name) ?? new Set<string>();
      digits.add(device.passcode);
      digitsOf.set(name, digits);
    }
  }
  for (const [name, digits] of digitsOf) {
    if (digits.size > 1)
      add(want.get(name), '?', null, `different digits on its locks (${digits.size} PINs)`);
  }

  if (o.locksOnly) return violations;
  // PMS side: MEWS resource access tokens.
  const tokens = sandbox.inspect.mewsTokens();
  const tokensByOrder = new Map<string, typeof tokens>();
  for (const t of tokens)
    tokensByOrder.set(t.ServiceOrderId, [...(tokensByOrder.get(t.ServiceOrderId) ?? []), t]);
  // PMS side: Beds24 info items with our code.
  const items = sandbox.inspect.beds24InfoItems({ code: infoCode });
  const itemsByBooking = new Map<string, typeof items>();
  for (const i of items)
    itemsByBooking.set(String(i.bookingId), [...(itemsByBooking.get(String(i.bookingId)) ?? []), i]);

  for (const [name, e] of want) {
    if (e.indifferent) continue;
    const id = e.reservation.id;
    const pinSet = digitsOf.get(name);
    const pin = pinSet && pinSet.size === 1 ? [...pinSet][0]! : null;
    if (e.kind === 'mews') {
      const own = tokensByOrder.get(id) ?? [];
      tokensByOrder.delete(id);
      if (e.locks.length === 0) {
        if (own.length)
          add(
            e,
            e.reservation.propertyId,
            null,
            `${own.length} active MEWS token(s) but no code is due (${e.why})`,
          );
        continue;
      }
      if (own.length !== 1) {
        add(e, e.reservation.propertyId, null, `expected one active MEWS access token, found ${own.length}`);
        continue;
      }
      const t = own[0]!;
      if (pin !== null && t.Value !== pin)
        add(e, e.reservation.propertyId, null, 'MEWS token digits differ from the lock code');
      if (
        Date.parse(t.ValidityStartUtc) !== e.validFrom.getTime() ||
        Date.parse(t.ValidityEndUtc) !== e.validTo.getTime()
      )
        add(
          e,
          e.reservation.propertyId,
          null,
          `MEWS token window ${t.ValidityStartUtc} -> ${t.ValidityEndUtc}, expected ${iso(e.validFrom)} -> ${iso(e.validTo)}`,
        );
      if (t.ResourceId !== e.resourceId)
        add(
          e,
          e.reservation.propertyId,
          null,
          `MEWS token on resource ${t.ResourceId}, expected ${e.resourceId}`,
        );
    } else if (e.kind === 'beds24') {
      const own = itemsByBooking.get(id) ?? [];
      itemsByBooking.delete(id);
      if (e.locks.length === 0) {
        if (own.length)
          add(
            e,
            e.reservation.propertyId,
            null,
            `${own.length} ${infoCode} info item(s) but no code is due (${e.why})`,
          );
        continue;
      }
      if (own.length !== 1) {
        add(e, e.reservation.propertyId, null, `expected one ${infoCode} info item, found ${own.length}`);
        continue;
      }
      if (pin !== null && own[0]!.text !== pin)
        add(e, e.reservation.propertyId, null, `${infoCode} info item digits differ from the lock code`);
    }
  }
  // Anything left belongs to no known booking at all.
  for (const [order, list] of tokensByOrder) {
    if (want.get(`${CODE_PREFIX}${order}`)?.indifferent) continue;
    add(undefined, '?', null, `${list.length} orphan MEWS token(s) for unknown service order ${order}`);
  }
  for (const [booking, list] of itemsByBooking) {
    if (want.get(`${CODE_PREFIX}${booking}`)?.indifferent) continue;
    add(
      undefined,
      '?',
      null,
      `${list.length} orphan ${infoCode} info item(s) for unknown booking ${booking}`,
    );
  }
  return violations;
}

/** Never print whole PINs, even in a failing test. */
export function mask(passcode: string): string {
  return `${'*'.repeat(Math.max(0, passcode.length - 1))}${passcode.slice(-1)}`;
}

/** How many bookings the invariants required a code for (to show the check was not vacuous). */
export function expectedCodeCount(
  sandbox: Sandbox,
  o: InvariantOptions,
): { bookings: number; codes: number } {
  let bookings = 0;
  let codes = 0;
  for (const e of expectations(sandbox, o).values()) {
    if (e.indifferent || e.locks.length === 0) continue;
    bookings++;
    codes += e.locks.length;
  }
  return { bookings, codes };
}
