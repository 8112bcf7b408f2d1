import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockAssignment, UnitMapping } from '../domain/schemas.js';
import { JOB_KINDS } from '../engine/context.js';
import { createEngine, type Engine, type EngineOptions } from '../engine/engine.js';
import type { EngineEvent } from '../engine/events.js';
import { DuplicateCodeError, PermanentError, TransientError } from '../errors/errors.js';
import { derivePasscode } from '../passcode/policy.js';
import { ManualClock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { makeProperty } from './fixtures.js';
import { MemoryLock } from './memory-lock.js';
import { MemoryPms } from './memory-pms.js';

export interface EngineSuiteOptions {
  /** A fresh, empty store per test. */
  create: () => Promise<Store>;
  destroy?: (store: Store) => Promise<void>;
}

const SECRET = 'engine-suite-secret';
const NOW = '2026-04-20T08:00:00Z';

const mappings: UnitMapping[] = [
  {
    propertyId: 'P1',
    resourceId: 'res-101',
    resourceName: 'Room 101',
    roomId: 'R1',
    unitName: '101',
    primary: true,
  },
  {
    propertyId: 'P1',
    resourceId: 'res-102',
    resourceName: 'Room 102',
    roomId: 'R1',
    unitName: '102',
    primary: true,
  },
];
const assignments: LockAssignment[] = [
  { propertyId: 'P1', lockId: 'L101', scope: 'unit', roomId: 'R1', unitName: '101' },
  { propertyId: 'P1', lockId: 'L102', scope: 'unit', roomId: 'R1', unitName: '102' },
  { propertyId: 'P1', lockId: 'ENTRANCE', scope: 'property' },
];

const booking = (id: string, over: Record<string, unknown> = {}) => ({
  propertyId: 'P1',
  bookingId: id,
  resourceId: 'res-101',
  guestName: `Guest ${id}`,
  arrivalDate: '2026-04-25',
  departureDate: '2026-04-27',
  status: 'confirmed' as const,
  externalIds: { reservationId: id },
  ...over,
});

/** Polls until `check` holds (real time: the engine's jobs run on the event loop). */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * The engine's behaviour end to end with in-memory PMS and lock, over any `Store`: the legacy
 * app's cases (new booking, date change, room change, cancellation, write-back only after lock
 * success, passcode never overwritten) plus retries, duplicates and idempotency.
 */
export function describeEngineConformance(name: string, options: EngineSuiteOptions): void {
  describe(`Engine: ${name}`, () => {
    let store: Store;
    let pms: MemoryPms;
    let lock: MemoryLock;
    let clock: ManualClock;
    let engine: Engine;
    let events: EngineEvent[];

    /**
     * The removal that makes room on a full lock is queued before the add that needs it, but on
     * an asynchronous store both run at once and the add can reach the lock first: it is then
     * tried once more after its backoff. This runs that retry.
     */
    const settleRace = async (on: Engine) => {
      clock.advance(60_000);
      expect((await on.dispatch()).dead).toBe(0);
    };
    /** Two later stays on a 2-code door (full), and tonight's stay booked this morning. */
    const laterStays = [
      booking('F2', { arrivalDate: '2026-04-24', departureDate: '2026-04-25', resourceId: 'res-102' }),
      booking('F1', { arrivalDate: '2026-04-22', departureDate: '2026-04-23' }),
    ];
    const tonight = booking('NOW', {
      arrivalDate: '2026-04-20',
      departureDate: '2026-04-21',
      resourceId: 'res-102',
    });
    const fullDoorOfLaterStays = async () => {
      const small = new MemoryLock({ capacity: 2 });
      lock = small;
      const limited = engineWith({ lock: small });
      pms.setBookings(laterStays);
      await run(limited);
      expect(small.codesOn('ENTRANCE')).toHaveLength(2);
      return { small, limited };
    };
    /** A sync of P1 and a dispatch, by the suite's engine or another one. */
    const run = async (on: Engine = engine) => {
      await on.syncProperty('P1');
      return on.dispatch();
    };
    const code = async (bookingId: string, lockId: string) =>
      (await store.listAccessCodes({ propertyId: 'P1', bookingId, includeRevoked: true })).find(
        (c) => c.lockId === lockId,
      );

    /** An engine over this test's store, PMS, lock and clock; `overrides` replace any option. */
    const engineWith = (overrides: Partial<EngineOptions> = {}) =>
      createEngine({
        store,
        lock,
        providers: () => pms,
        passcode: { secret: SECRET },
        clock,
        random: () => 0.5,
        onEvent: (e) => events.push(e),
        ...overrides,
      });

    beforeEach(async () => {
      store = await options.create();
      clock = new ManualClock(NOW);
      pms = new MemoryPms('P1', { timezone: 'Europe/Prague' });
      lock = new MemoryLock();
      events = [];
      await store.upsertProperty(makeProperty({ id: 'P1', timezone: 'Europe/Prague' }));
      await store.replaceUnitMappings('P1', mappings);
      await store.replaceLockAssignments('P1', assignments);
      engine = engineWith();
    });
    afterEach(async () => {
      await store.close();
      await options.destroy?.(store);
    });

    it('a new booking gets a code on every assigned lock, then the PMS gets it', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      const room = lock.codesOn('L101');
      const door = lock.codesOn('ENTRANCE');
      expect(room).toHaveLength(1);
      expect(door).toHaveLength(1);
      expect(room[0]!.passcode).toBe(door[0]!.passcode);
      expect(room[0]!.passcode).toMatch(/^\d{6}$/);
      expect(room[0]!.validFrom?.toISOString()).toBe('2026-04-25T13:00:00.000Z');
      expect(room[0]!.validTo?.toISOString()).toBe('2026-04-27T09:00:00.000Z');
      expect(lock.codesOn('L102')).toHaveLength(0);
      const written = pms.writtenFor('B1');
      expect(written).toMatchObject({ passcode: room[0]!.passcode });
      expect(written?.validFrom.toISOString()).toBe('2026-04-25T13:00:00.000Z');
      expect(await code('B1', 'L101')).toMatchObject({ state: 'active', lockCodeId: room[0]!.lockCodeId });
      expect((await store.getBooking('P1', 'B1'))?.writeBackRef).toBe(written?.ref);
    });

    it('the soonest stays reach their doors first; a last-minute booking overtakes a backlog', async () => {
      const serial = engineWith({ concurrency: 1 });
      // Booking ids (the order the plan meets them in) run against the arrival dates.
      const stays = [
        booking('A', { arrivalDate: '2026-05-15', departureDate: '2026-05-17' }),
        booking('B', { arrivalDate: '2026-04-28', departureDate: '2026-04-30', resourceId: 'res-102' }),
        booking('C', { arrivalDate: '2026-05-05', departureDate: '2026-05-07' }),
        booking('D', { arrivalDate: '2026-04-22', departureDate: '2026-04-24', resourceId: 'res-102' }),
      ];
      pms.setBookings(stays);
      await serial.syncProperty('P1');
      // Planned later, arriving today: it must not wait for the four planned before it.
      pms.setBookings([...stays, booking('E', { arrivalDate: '2026-04-20', departureDate: '2026-04-21' })]);
      await serial.syncProperty('P1');
      await serial.dispatch();
      const bookingOf = new Map(
        (await store.listAccessCodes({ propertyId: 'P1' })).map((c) => [c.id, c.bookingId]),
      );
      const order = events.flatMap((e) =>
        e.type === 'lock.call' ? [`${bookingOf.get(e.codeId)}@${e.lockId}`] : [],
      );
      expect(order.map((o) => o.split('@')[0])).toEqual(['E', 'E', 'D', 'D', 'B', 'B', 'C', 'C', 'A', 'A']);
      expect(lock.codesOn('ENTRANCE')).toHaveLength(5);
    });

    it('jobs waiting for one lock reach it most urgent first, whatever order they were claimed in', async () => {
      // A gateway lock: one operation at a time, queued in arrival order as adapters do, and
      // here each entrance add is held until the test lets it finish.
      const started: string[] = [];
      const releases: Array<() => void> = [];
      let queue: Promise<unknown> = Promise.resolve();
      const door = Object.create(lock) as MemoryLock;
      door.addCode = (input) => {
        if (input.lockId !== 'ENTRANCE') return lock.addCode(input);
        const turn = queue.then(async () => {
          started.push(input.name.replace('brafa:', ''));
          await new Promise<void>((resolve) => releases.push(resolve));
          return lock.addCode(input);
        });
        queue = turn.catch(() => undefined);
        return turn;
      };
      const wide = engineWith({ lock: door, concurrency: 16 });
      const backlog = [
        booking('A', { arrivalDate: '2026-05-15', departureDate: '2026-05-17' }),
        booking('B', { arrivalDate: '2026-04-28', departureDate: '2026-04-30', resourceId: 'res-102' }),
        booking('C', { arrivalDate: '2026-05-05', departureDate: '2026-05-07' }),
        booking('D', { arrivalDate: '2026-05-20', departureDate: '2026-05-22', resourceId: 'res-102' }),
      ];
      pms.setBookings(backlog);
      await wide.syncProperty('P1');
      // The backlog's jobs are claimed and started: B's entrance add is on the door, A, C and D
      // wait for it.
      const first = wide.dispatch({ untilIdle: false });
      await until(() => started.length === 1);
      // Then tonight's stay is booked, and its jobs are claimed after theirs.
      pms.setBookings([...backlog, booking('E', { arrivalDate: '2026-04-20', departureDate: '2026-04-21' })]);
      await wide.syncProperty('P1');
      const second = wide.dispatch({ untilIdle: false });
      await until(async () => (await code('E', 'L101'))?.state === 'active');
      await new Promise((resolve) => setTimeout(resolve, 20));
      while (started.length < 5 || releases.length) {
        const seen = started.length;
        releases.shift()?.();
        if (seen < 5) await until(() => started.length > seen);
      }
      await Promise.all([first, second]);
      expect(started).toEqual(['B', 'E', 'C', 'A', 'D']);
      expect(lock.codesOn('ENTRANCE')).toHaveLength(5);
    });

    it('during a long backlog, codes already on their doors reach the PMS after writeBackMaxDelayMs', async () => {
      // Every lock operation takes 10 s of the engine's clock (a slow gateway).
      const slow = Object.create(lock) as MemoryLock;
      slow.addCode = async (input) => {
        clock.advance(10_000);
        return lock.addCode(input);
      };
      const patient = engineWith({ lock: slow, concurrency: 1, writeBackMaxDelayMs: 30_000 });
      const stays = ['K1', 'K2', 'K3', 'K4', 'K5', 'K6'].map((id, i) =>
        booking(id, {
          arrivalDate: `2026-05-${String(1 + i * 3).padStart(2, '0')}`,
          departureDate: `2026-05-${String(2 + i * 3).padStart(2, '0')}`,
        }),
      );
      pms.setBookings(stays);
      await patient.syncProperty('P1');
      await patient.dispatch();
      const seq = events.map((e) => e.type).filter((t) => t === 'lock.call' || t === 'writeback.done');
      const firstWrite = seq.indexOf('writeback.done');
      // Written back while lock calls were still to come, not only once the queue was empty.
      expect(firstWrite).toBeGreaterThan(0);
      expect(seq.slice(firstWrite).filter((t) => t === 'lock.call').length).toBeGreaterThan(0);
      // And nothing is lost: every stay ends written back with the digits on its doors.
      for (const s of stays)
        expect(pms.writtenFor(s.bookingId)?.passcode).toBe((await code(s.bookingId, 'L101'))?.passcode);
      expect(pms.writeCount()).toBe(stays.length);
    });

    it('a re-sync with no change makes no lock call and no PMS write', async () => {
      pms.setBookings([booking('B1'), booking('B2', { resourceId: 'res-102' })]);
      await run();
      const calls = lock.callCount();
      const writes = pms.writeCount();
      await run();
      await run();
      expect(lock.callCount()).toBe(calls);
      expect(pms.writeCount()).toBe(writes);
      expect(writes).toBe(2);
    });

    it('a date change reschedules the codes and keeps the passcode', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      const before = lock.codesOn('L101')[0]!;
      pms.updateBooking('B1', { departureDate: '2026-04-29' });
      await run();
      const after = lock.codesOn('L101');
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ lockCodeId: before.lockCodeId, passcode: before.passcode });
      expect(after[0]!.validTo?.toISOString()).toBe('2026-04-29T09:00:00.000Z');
      expect(lock.calls.filter((c) => c.op === 'change')).toHaveLength(2); // room + entrance
      expect(lock.calls.filter((c) => c.op === 'add')).toHaveLength(2);
      expect(pms.writtenFor('B1')?.validTo.toISOString()).toBe('2026-04-29T09:00:00.000Z');
      expect(pms.writtenFor('B1')?.passcode).toBe(before.passcode);
    });

    it('a room change revokes the old room code and creates the new one; the entrance code stays', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      const old = lock.codesOn('L101')[0]!;
      const entrance = lock.codesOn('ENTRANCE')[0]!;
      pms.updateBooking('B1', { resourceId: 'res-102' });
      await run();
      expect(lock.codesOn('L101')).toHaveLength(0);
      expect(lock.codesOn('L102')).toHaveLength(1);
      expect(lock.codesOn('L102')[0]!.passcode).toBe(old.passcode);
      expect(lock.codesOn('ENTRANCE')).toEqual([entrance]);
      expect(await code('B1', 'L101')).toMatchObject({ state: 'revoked', lockCodeId: null });
      expect(pms.writtenFor('B1')?.passcode).toBe(old.passcode);
    });

    it('a write-back whose reply was lost, then a cancellation: the PMS record is deleted anyway', async () => {
      // Found by the chaos suite: the failed write had reached the PMS, the booking
      // was cancelled before the retry, and the engine thought there was nothing to delete.
      pms.setBookings([booking('B1')]);
      pms.loseNextWriteBackReply();
      await run();
      expect(pms.writtenFor('B1')).toBeDefined();
      expect((await store.getBooking('P1', 'B1'))?.writeBackError).toMatch(/reply lost/);
      pms.updateBooking('B1', { status: 'cancelled' });
      await run();
      expect(lock.codesOn('L101')).toHaveLength(0);
      expect(pms.writtenFor('B1')).toBeUndefined();
      expect(await store.getBooking('P1', 'B1')).toMatchObject({ writeBackKey: null, writeBackError: null });
    });

    it('a cancellation revokes every code and deletes the write-back', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      expect(pms.writtenFor('B1')).toBeDefined();
      pms.updateBooking('B1', { status: 'cancelled' });
      await run();
      expect(lock.codesOn('L101')).toHaveLength(0);
      expect(lock.codesOn('ENTRANCE')).toHaveLength(0);
      expect(pms.writtenFor('B1')).toBeUndefined();
      expect((await store.getBooking('P1', 'B1'))?.writeBackKey).toBeNull();
    });

    it('a booking moved beyond the sync window is read by id: its code follows it at once', async () => {
      pms.setBookings([booking('B1'), booking('B2', { resourceId: 'res-102' })]);
      await run();
      const before = lock.codesOn('L101')[0]!;
      // The window ends 30 days after 2026-04-20; the walk no longer returns B1.
      pms.updateBooking('B1', { arrivalDate: '2026-06-10', departureDate: '2026-06-12' });
      const calls = lock.calls.length;
      await run();
      const after = lock.codesOn('L101');
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ lockCodeId: before.lockCodeId, passcode: before.passcode });
      expect(after[0]!.validFrom?.toISOString()).toBe('2026-06-10T13:00:00.000Z');
      expect(pms.writtenFor('B1')?.validFrom.toISOString()).toBe('2026-06-10T13:00:00.000Z');
      expect(lock.calls.slice(calls).map((c) => c.op)).toEqual(['change', 'change']); // room + entrance
      expect(events.filter((e) => e.type === 'sync.vanished')).toEqual([
        { type: 'sync.vanished', propertyId: 'P1', bookings: 1, refetched: 1, gone: 0 },
      ]);
      // Nothing vanishes on the next sync: B1 is stored with its new dates.
      await run();
      expect(events.filter((e) => e.type === 'sync.vanished')).toHaveLength(1);
    });

    it('a booking the PMS no longer has loses its codes and its write-back', async () => {
      pms.setBookings([booking('B1'), booking('B2', { resourceId: 'res-102' })]);
      await run();
      expect(pms.writtenFor('B1')).toBeDefined();
      pms.setBookings([booking('B2', { resourceId: 'res-102' })]);
      await run();
      expect(lock.codesOn('L101')).toHaveLength(0);
      expect(lock.codesOn('ENTRANCE')).toHaveLength(1); // B2's
      expect(lock.codesOn('L102')).toHaveLength(1);
      expect(pms.writtenFor('B1')).toBeUndefined();
      expect((await store.getBooking('P1', 'B1'))?.status).toBe('cancelled');
      expect(events.filter((e) => e.type === 'sync.vanished')).toEqual([
        { type: 'sync.vanished', propertyId: 'P1', bookings: 1, refetched: 0, gone: 1 },
      ]);
    });

    it('without reads by id, a booking that left the window loses its old codes until it is back', async () => {
      const windowOnly = {
        kind: 'window-only-pms',
        propertyId: 'P1',
        capabilities: { ...pms.capabilities, fetchByIds: false },
        fetchBookings: pms.fetchBookings.bind(pms),
        writeBack: pms.writeBack.bind(pms),
      };
      engine = engineWith({ providers: () => windowOnly });
      pms.setBookings([booking('B1')]);
      await run();
      const before = lock.codesOn('L101')[0]!;
      pms.updateBooking('B1', { arrivalDate: '2026-06-10', departureDate: '2026-06-12' });
      await run();
      expect(lock.codesOn('L101')).toHaveLength(0);
      expect(lock.codesOn('ENTRANCE')).toHaveLength(0);
      // Weeks later the window reaches the new dates: the booking is back, with its digits.
      clock.set(new Date('2026-06-01T08:00:00Z'));
      await run();
      expect(lock.codesOn('L101')).toHaveLength(1);
      expect(lock.codesOn('L101')[0]).toMatchObject({ passcode: before.passcode });
      expect(lock.codesOn('L101')[0]!.validFrom?.toISOString()).toBe('2026-06-10T13:00:00.000Z');
    });

    it('a lock failure never writes back; the failure is visible with its reason', async () => {
      pms.setBookings([booking('B1')]);
      lock.failNext('add', new PermanentError('lock does not exist (-1003)', { code: -1003 }));
      await run();
      expect(pms.writeCount()).toBe(0);
      const status = await engine.status('P1');
      expect(status.failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ bookingId: 'B1', reason: expect.stringContaining('-1003') }),
        ]),
      );
      expect(status.codes.failed).toBe(1);
      expect(status.jobs.dead).toBe(1);
    });

    it('retries a transient lock error with backoff, then succeeds and writes back', async () => {
      pms.setBookings([booking('B1', { resourceId: null, roomId: 'R1', unitName: '102' })]);
      lock.failNext('add', new TransientError('gateway busy (-3003)', { code: -3003 }));
      await run();
      expect(pms.writeCount()).toBe(0);
      const [queued] = await store.listJobs({ status: 'queued' });
      expect(queued?.lastError).toContain('-3003');
      // Base 2 s, attempt 1, equal jitter at 0.5 → 1.5 s.
      expect(queued!.runAfter.getTime() - clock.now().getTime()).toBe(1500);
      clock.advance(1500);
      await engine.dispatch();
      expect(lock.codesOn('L102')).toHaveLength(1);
      expect(pms.writeCount()).toBe(1);
    });

    it('honours retryAfter, capped', async () => {
      pms.setBookings([booking('B1')]);
      lock.failNext('add', new TransientError('quota', { retryAfterMs: 3 * 3_600_000 }));
      await run();
      const [queued] = await store.listJobs({ status: 'queued' });
      expect(queued!.runAfter.getTime() - clock.now().getTime()).toBe(5 * 60_000);
    });

    it('a lost add response is adopted on retry (duplicate digits, our tag) and written back once', async () => {
      pms.setBookings([booking('B1')]);
      lock.loseNextResponse('add');
      await run();
      clock.advance(60_000);
      await engine.dispatch();
      expect(lock.codesOn('L101')).toHaveLength(1);
      expect(lock.codesOn('ENTRANCE')).toHaveLength(1);
      expect(events.some((e) => e.type === 'lock.done' && e.op === 'adopt')).toBe(true);
      expect(pms.writeCount()).toBe(1);
      expect(pms.writtenFor('B1')?.passcode).toBe(lock.codesOn('L101')[0]!.passcode);
    });

    it('digits already on the lock for someone else move the booking to new digits, never widen the other code', async () => {
      pms.setBookings([booking('B1')]);
      // The digits the booking would get first, taken on the entrance by a keypad code.
      const first = derivePasscode({ length: 6, secret: SECRET }, 'P1', 'B1', 0);
      const foreign = {
        passcode: first,
        name: 'keypad guest',
        validFrom: new Date('2026-01-01T00:00:00Z'),
        validTo: new Date('2026-12-01T00:00:00Z'),
      };
      const foreignId = lock.putDirectly('ENTRANCE', foreign);
      await run();
      const entrance = lock.codesOn('ENTRANCE');
      expect(entrance).toHaveLength(2);
      expect(entrance.find((c) => c.lockCodeId === foreignId)).toMatchObject(foreign);
      const ours = entrance.find((c) => c.lockCodeId !== foreignId)!;
      expect(ours.passcode).not.toBe(foreign.passcode);
      expect(lock.codesOn('L101')[0]!.passcode).toBe(ours.passcode);
      expect(pms.writtenFor('B1')?.passcode).toBe(ours.passcode);
      expect(events.some((e) => e.type === 'lock.duplicate')).toBe(true);
    });

    it('updating a booking never overwrites its passcode with anything else', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      const passcode = lock.codesOn('L101')[0]!.passcode;
      pms.updateBooking('B1', {
        guestName: 'Renamed',
        arrivalDate: '2026-04-24',
        referenceNumber: '2026-04-24',
      });
      await run();
      for (const c of await store.listAccessCodes({ propertyId: 'P1', bookingId: 'B1' }))
        expect(c.passcode).toBe(passcode);
      expect(lock.codesOn('L101')[0]!.passcode).toBe(passcode);
      expect(pms.writtenFor('B1')?.passcode).toBe(passcode);
    });

    it('a disabled property is skipped entirely', async () => {
      await store.upsertProperty(makeProperty({ id: 'P1', timezone: 'Europe/Prague', enabled: false }));
      pms.setBookings([booking('B1')]);
      const result = await engine.syncProperty('P1');
      await engine.dispatch();
      expect(result.skipped).toBe(true);
      expect(pms.fetchCalls).toBe(0);
      expect(lock.callCount()).toBe(0);
    });

    it('reissue gives new digits after check-in and writes them back', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      const before = lock.codesOn('L101')[0]!;
      clock.set('2026-04-26T10:00:00Z');
      await engine.reissue('P1', 'B1');
      await engine.dispatch();
      const after = lock.codesOn('L101');
      expect(after).toHaveLength(1);
      expect(after[0]!.lockCodeId).toBe(before.lockCodeId);
      expect(after[0]!.passcode).not.toBe(before.passcode);
      expect(lock.codesOn('ENTRANCE')[0]!.passcode).toBe(after[0]!.passcode);
      expect(pms.writtenFor('B1')?.passcode).toBe(after[0]!.passcode);
    });

    it('removes ended codes from the lock after the grace period', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      clock.set('2026-04-27T12:00:00Z');
      await run();
      expect(lock.codesOn('L101')).toHaveLength(1);
      clock.set('2026-04-28T09:30:00Z');
      await run();
      expect(lock.codesOn('L101')).toHaveLength(0);
      expect(lock.codesOn('ENTRANCE')).toHaveLength(0);
    });

    it('taking ended codes off comes after the doors of stays to come', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      clock.set('2026-04-28T09:30:00Z');
      // The same sync plans B1's removal (ended, past its grace) and a stay starting today.
      pms.setBookings([
        booking('B1'),
        booking('T1', { arrivalDate: '2026-04-28', departureDate: '2026-04-29', resourceId: 'res-102' }),
      ]);
      events = [];
      const serial = engineWith({ concurrency: 1 });
      await serial.syncProperty('P1');
      await serial.dispatch();
      const calls = events.flatMap((e) => (e.type === 'lock.call' ? [e.op] : []));
      expect(calls).toEqual(['add', 'add', 'remove', 'remove']);
      expect(lock.codesOn('L101')).toHaveLength(0);
      expect(lock.codesOn('L102')).toHaveLength(1);
    });

    it('a full door takes the soonest stays; the others wait, unwritten, and follow as codes come off', async () => {
      const small = new MemoryLock({ capacity: 3 });
      lock = small;
      const limited = engineWith({ lock: small });
      const stays = [
        booking('S4', { arrivalDate: '2026-04-27', departureDate: '2026-04-28', resourceId: 'res-102' }),
        booking('S3', { arrivalDate: '2026-04-25', departureDate: '2026-04-26' }),
        booking('S2', { arrivalDate: '2026-04-23', departureDate: '2026-04-24', resourceId: 'res-102' }),
        booking('S1', { arrivalDate: '2026-04-21', departureDate: '2026-04-22' }),
      ];
      pms.setBookings(stays);
      expect((await run(limited)).dead).toBe(0);
      expect(small.codesOn('ENTRANCE')).toHaveLength(3);
      expect(small.calls.filter((c) => c.op === 'add' && c.lockId === 'ENTRANCE')).toHaveLength(3);
      expect(await code('S4', 'ENTRANCE')).toBeUndefined();
      expect((await code('S4', 'L102'))?.state).toBe('active');
      // S4's PIN would not open the entrance yet: it is not sent.
      expect(pms.writtenFor('S4')).toBeUndefined();
      expect(pms.writtenFor('S1')).toBeDefined();
      const status = await limited.status('P1');
      expect(status.bookingIssues).toEqual([
        { bookingId: 'S4', issue: expect.stringMatching(/^waiting for space on lock ENTRANCE/) },
      ]);
      expect(status.writeBackPending).toEqual([]);

      // S1's stay and grace are over: its codes come off, then S4 gets the place.
      clock.set('2026-04-23T12:00:00Z');
      await run(limited);
      await run(limited);
      expect((await code('S4', 'ENTRANCE'))?.state).toBe('active');
      expect(small.codesOn('ENTRANCE')).toHaveLength(3);
      expect(pms.writtenFor('S4')?.passcode).toBe((await code('S4', 'ENTRANCE'))?.passcode);
      expect((await limited.status('P1')).bookingIssues).toEqual([]);
    });

    it('on a full door a last-minute stay takes the place of the latest future one, which comes back', async () => {
      const { small, limited } = await fullDoorOfLaterStays();
      const f2Pin = pms.writtenFor('F2')?.passcode;
      expect(f2Pin).toBeDefined();
      // Booked this morning for tonight: the entrance is full of later stays.
      pms.setBookings([...laterStays, tonight]);
      expect((await run(limited)).dead).toBe(0);
      await settleRace(limited);
      expect((await code('NOW', 'ENTRANCE'))?.state).toBe('active');
      expect(pms.writtenFor('NOW')?.passcode).toBe((await code('NOW', 'ENTRANCE'))?.passcode);
      // F2 (the latest) made room: off the entrance, its PMS PIN left as it was, the issue in status.
      expect((await code('F2', 'ENTRANCE'))?.state).toBe('revoked');
      expect(small.codesOn('ENTRANCE')).toHaveLength(2);
      expect(pms.writtenFor('F2')?.passcode).toBe(f2Pin);
      expect((await limited.status('P1')).bookingIssues.map((i) => i.bookingId)).toEqual(['F2']);

      // Tonight's stay is over and its grace too: F2 comes back with the same digits.
      clock.set('2026-04-22T12:00:00Z');
      await run(limited);
      await run(limited);
      expect((await code('F2', 'ENTRANCE'))?.state).toBe('active');
      expect((await code('F2', 'ENTRANCE'))?.passcode).toBe(f2Pin);
      expect(pms.writtenFor('F2')?.passcode).toBe(f2Pin);
      expect((await limited.status('P1')).bookingIssues).toEqual([]);
    });

    it('a last-minute booking named by a webhook makes room on a full door in the same dispatch', async () => {
      const { limited } = await fullDoorOfLaterStays();
      pms.setBookings([...laterStays, tonight]);
      // What a webhook for NOW enqueues: only NOW is fetched and planned.
      await store.enqueueJobs(
        [{ kind: JOB_KINDS.syncBookings, propertyId: 'P1', payload: { bookingIds: ['NOW'] } }],
        clock.now(),
      );
      expect((await limited.dispatch()).dead).toBe(0);
      await settleRace(limited);
      expect((await code('NOW', 'ENTRANCE'))?.state).toBe('active');
      expect((await code('F2', 'ENTRANCE'))?.state).toBe('revoked');
      expect(pms.writtenFor('NOW')).toBeDefined();
    });

    it('a lock full of codes it did not plan is tried once more, then fails with its reason until the retry wait', async () => {
      const small = new MemoryLock({ capacity: 1 });
      lock = small;
      // Someone filled the entrance by hand: the planner cannot know.
      await small.addCode({
        lockId: 'ENTRANCE',
        passcode: '918273',
        name: 'staff',
        validFrom: new Date('2026-01-01T00:00:00Z'),
        validTo: new Date('2027-01-01T00:00:00Z'),
      });
      const byHand = small.calls.length;
      const limited = engineWith({ lock: small });
      pms.setBookings([booking('B1')]);
      const first = await run(limited);
      expect(first).toMatchObject({ retried: 1, dead: 0 });
      clock.advance(60_000);
      expect((await limited.dispatch()).dead).toBe(1);
      const failed = await code('B1', 'ENTRANCE');
      expect(failed).toMatchObject({ state: 'failed' });
      expect(failed?.lastError).toMatch(/^CapacityError: /);
      expect(small.calls.slice(byHand).filter((c) => c.op === 'add' && c.lockId === 'ENTRANCE')).toHaveLength(
        2,
      );
      expect(pms.writtenFor('B1')).toBeUndefined();
      // The staff code is gone; after the retry wait the planner tries again, and it works.
      await small.removeCode({ lockId: 'ENTRANCE', lockCodeId: small.codesOn('ENTRANCE')[0]!.lockCodeId });
      clock.advance(30 * 60_000);
      await run(limited);
      expect((await code('B1', 'ENTRANCE'))?.state).toBe('active');
      expect(pms.writtenFor('B1')).toBeDefined();
    });

    it('records unmapped bookings with a reason and gives them no code', async () => {
      pms.setBookings([booking('B1', { resourceId: 'res-999' })]);
      await run();
      expect(lock.callCount()).toBe(0);
      expect((await store.getBooking('P1', 'B1'))?.issue).toMatch(/unmapped unit: PMS resource res-999/);
      expect((await engine.status('P1')).bookingIssues).toHaveLength(1);
    });

    it('two bookings on the same door at the same time never share digits', async () => {
      pms.setBookings(
        Array.from({ length: 30 }, (_, i) => booking(`B${i}`, { resourceId: i % 2 ? 'res-101' : 'res-102' })),
      );
      await run();
      const digits = lock.codesOn('ENTRANCE').map((c) => c.passcode);
      expect(digits).toHaveLength(30);
      expect(new Set(digits).size).toBe(30);
    });

    it('a duplicate from the lock on change is surfaced, not swallowed', async () => {
      pms.setBookings([booking('B1')]);
      await run();
      lock.failNext('change', new DuplicateCodeError('digits taken'));
      pms.updateBooking('B1', { departureDate: '2026-04-28' });
      await run();
      const status = await engine.status('P1');
      expect(status.failures.some((f) => f.reason.includes('digits taken'))).toBe(true);
    });

    it('audit reports drift behind our back and --fix converges without touching foreign codes', async () => {
      pms.setBookings([booking('B1'), booking('B2', { resourceId: 'res-102' })]);
      await run();
      const room = lock.codesOn('L101')[0]!;
      await lock.removeCode({ lockId: 'L101', lockCodeId: room.lockCodeId }); // deleted at the keypad
      const l102 = lock.codesOn('L102')[0]!;
      await lock.changeCode({
        lockId: 'L102',
        lockCodeId: l102.lockCodeId,
        validFrom: l102.validFrom!,
        validTo: new Date('2026-05-30T00:00:00Z'),
      });
      const foreign = lock.putDirectly('ENTRANCE', {
        passcode: '907153',
        name: 'staff',
        validFrom: null,
        validTo: null,
      });
      const orphan = lock.putDirectly('ENTRANCE', {
        passcode: '316274',
        name: 'brafa:GONE',
        validFrom: null,
        validTo: null,
      });
      const calls = lock.callCount('add') + lock.callCount('change') + lock.callCount('remove');

      const report = await engine.audit('P1');
      expect(report.findings.map((f) => `${f.kind}:${f.lockId}`).sort()).toEqual([
        'differs_on_lock:L102',
        'missing_on_lock:L101',
        'orphan:ENTRANCE',
        'unknown_on_lock:ENTRANCE',
      ]);
      expect(report.findings.every((f) => !f.fixed)).toBe(true);
      expect(lock.callCount('add') + lock.callCount('change') + lock.callCount('remove')).toBe(calls);

      const fixed = await engine.audit('P1', { fix: true });
      expect(fixed.findings.filter((f) => f.fixed)).toHaveLength(3);
      await engine.dispatch();
      expect(lock.codesOn('L101').map((c) => c.passcode)).toEqual([room.passcode]);
      expect(lock.codesOn('L102')[0]!.validTo?.toISOString()).toBe('2026-04-27T09:00:00.000Z');
      const entrance = lock.codesOn('ENTRANCE').map((c) => c.lockCodeId);
      expect(entrance).toContain(foreign);
      expect(entrance).not.toContain(orphan);
      expect((await engine.audit('P1')).findings.map((f) => f.kind)).toEqual(['unknown_on_lock']);
    });
  });
}
