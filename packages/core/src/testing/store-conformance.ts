import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessCode, BookingRecord } from '../domain/schemas.js';
import type { Store } from '../ports/store.js';
import { makeAccessCode, makeBooking, makeProperty } from './fixtures.js';

export interface StoreConformanceOptions {
  /** A fresh, empty, migrated store per test. */
  create: () => Promise<Store>;
  /** Called after each test (drop the database, stop servers…). `close()` is called first. */
  destroy?: (store: Store) => Promise<void>;
}

const T0 = new Date('2026-04-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/**
 * The behaviour every `Store` must have. Run it from an adapter's test file:
 * `describeStoreConformance('sqlite', { create: () => openStore('sqlite::memory:') })`.
 */
export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await options.create();
    });
    afterEach(async () => {
      await store.close();
      await options.destroy?.(store);
    });

    describe('configuration', () => {
      it('upserts and lists properties', async () => {
        await store.upsertProperty(makeProperty({ id: 'P2', timezone: 'America/New_York' }));
        await store.upsertProperty(makeProperty({ id: 'P1' }));
        await store.upsertProperty(makeProperty({ id: 'P1', enabled: false, checkInTime: '16:00' }));
        const all = await store.listProperties();
        expect(all.map((p) => p.id)).toEqual(['P1', 'P2']);
        expect(await store.getProperty('P1')).toMatchObject({ enabled: false, checkInTime: '16:00' });
        expect(await store.getProperty('P2')).toEqual(
          makeProperty({ id: 'P2', timezone: 'America/New_York' }),
        );
        expect(await store.getProperty('nope')).toBeUndefined();
      });

      it('replaces units, mappings and lock assignments per property', async () => {
        await store.replaceUnits('P1', [
          { propertyId: 'P1', roomId: 'R1', unitName: '101' },
          { propertyId: 'P1', roomId: 'R1', unitName: '102' },
        ]);
        await store.replaceUnits('P2', [{ propertyId: 'P2', roomId: 'X', unitName: '1' }]);
        await store.replaceUnits('P1', [{ propertyId: 'P1', roomId: 'R1', unitName: '103' }]);
        expect(await store.listUnits('P1')).toEqual([{ propertyId: 'P1', roomId: 'R1', unitName: '103' }]);
        expect(await store.listUnits('P2')).toHaveLength(1);

        const mapping = {
          propertyId: 'P1',
          resourceId: 'res-1',
          resourceName: 'Room 101',
          roomId: 'R1',
          unitName: '101',
          primary: true,
        };
        await store.replaceUnitMappings('P1', [mapping]);
        expect(await store.listUnitMappings('P1')).toEqual([mapping]);

        await store.replaceLockAssignments('P1', [
          { propertyId: 'P1', lockId: 'L1', scope: 'unit', roomId: 'R1', unitName: '101' },
          { propertyId: 'P1', lockId: 'L9', scope: 'property' },
        ]);
        const assignments = await store.listLockAssignments('P1');
        expect(assignments).toHaveLength(2);
        expect(assignments).toContainEqual({ propertyId: 'P1', lockId: 'L9', scope: 'property' });
        expect(assignments).toContainEqual({
          propertyId: 'P1',
          lockId: 'L1',
          scope: 'unit',
          roomId: 'R1',
          unitName: '101',
        });
      });
    });

    describe('bookings', () => {
      it('round-trips every field, dates and instants included', async () => {
        const booking = makeBooking({
          bookingId: 'B1',
          resourceId: 'res-1',
          checkInAt: new Date('2026-05-01T13:00:00Z'),
          checkOutAt: new Date('2026-05-03T09:00:00Z'),
          referenceNumber: 'REF-1',
          externalIds: { reservationId: 'r-1', enterpriseId: 'e-1' },
        });
        await store.upsertBookings([booking], T0);
        const stored = await store.getBooking('P1', 'B1');
        expect(stored).toMatchObject(booking);
        expect(stored).toMatchObject({
          passcodeAttempt: 0,
          writeBackKey: null,
          writeBackRef: null,
          issue: null,
        });
      });

      it('keeps booking state (passcode attempt, write-back) when the PMS fields are updated', async () => {
        await store.upsertBookings([makeBooking()], T0);
        await store.updateBookingState(
          'P1',
          'B1',
          { passcodeAttempt: 2, writeBackKey: 'k1', writeBackRef: 'tok-1' },
          at(1),
        );
        await store.upsertBookings(
          [makeBooking({ departureDate: '2026-05-04', guestName: 'New Name' })],
          at(2),
        );
        const stored = await store.getBooking('P1', 'B1');
        expect(stored).toMatchObject({
          departureDate: '2026-05-04',
          guestName: 'New Name',
          passcodeAttempt: 2,
          writeBackKey: 'k1',
          writeBackRef: 'tok-1',
        });
      });

      it('lists bookings of one property, optionally departing on or after a date', async () => {
        await store.upsertBookings(
          [
            makeBooking({ bookingId: 'B1', arrivalDate: '2026-04-01', departureDate: '2026-04-03' }),
            makeBooking({ bookingId: 'B2', arrivalDate: '2026-05-01', departureDate: '2026-05-03' }),
            makeBooking({ propertyId: 'P2', bookingId: 'B3' }),
          ],
          T0,
        );
        expect((await store.listBookings('P1')).map((b) => b.bookingId).sort()).toEqual(['B1', 'B2']);
        expect(
          (await store.listBookings('P1', { departingOnOrAfter: '2026-04-03' }))
            .map((b) => b.bookingId)
            .sort(),
        ).toEqual(['B1', 'B2']);
        expect(
          (await store.listBookings('P1', { departingOnOrAfter: '2026-04-04' })).map((b) => b.bookingId),
        ).toEqual(['B2']);
      });

      it('lists bookings by id, across more ids than one IN list holds', async () => {
        const many = Array.from({ length: 1200 }, (_, i) =>
          makeBooking({ bookingId: `B${String(i).padStart(4, '0')}` }),
        );
        await store.upsertBookings([...many, makeBooking({ propertyId: 'P2', bookingId: 'B0001' })], T0);
        const wanted = many.filter((_, i) => i % 2 === 1).map((b) => b.bookingId);
        const found = await store.listBookings('P1', { bookingIds: [...wanted].reverse().concat('missing') });
        expect(found.map((b) => b.bookingId).sort()).toEqual(wanted);
        expect(found.every((b) => b.propertyId === 'P1')).toBe(true);
        expect(await store.listBookings('P1', { bookingIds: [] })).toEqual([]);
      });

      it('pages through bookings by id (keyset: after the last one seen, at most limit)', async () => {
        const many = Array.from({ length: 25 }, (_, i) =>
          makeBooking({ bookingId: `B${String(i).padStart(2, '0')}` }),
        );
        await store.upsertBookings([...many, makeBooking({ propertyId: 'P2', bookingId: 'B99' })], T0);
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listBookings('P1', {
            limit: 10,
            ...(after ? { afterBookingId: after } : {}),
          });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(10);
          seen.push(...page.map((b) => b.bookingId));
          after = page.at(-1)!.bookingId;
        }
        expect(seen).toEqual(many.map((b) => b.bookingId));
      });

      it('lists summaries of the same bookings as listBookings, in the same order, with the same options', async () => {
        const many = Array.from({ length: 25 }, (_, i) =>
          makeBooking({
            bookingId: `B${String(i).padStart(2, '0')}`,
            status: i % 5 === 0 ? 'cancelled' : 'confirmed',
            arrivalDate: `2026-04-${String(i + 1).padStart(2, '0')}`,
            departureDate: `2026-04-${String(i + 3).padStart(2, '0')}`,
          }),
        );
        await store.upsertBookings([...many, makeBooking({ propertyId: 'P2', bookingId: 'B99' })], T0);
        const summary = ({ bookingId, status, arrivalDate, departureDate }: BookingRecord) => ({
          bookingId,
          status,
          arrivalDate,
          departureDate,
        });
        for (const options of [
          {},
          { departingOnOrAfter: '2026-04-10' },
          { limit: 7 },
          { afterBookingId: 'B03', limit: 10 },
          { afterBookingId: 'B20', departingOnOrAfter: '2026-04-12', limit: 3 },
        ]) {
          const full = await store.listBookings('P1', options);
          expect(full.length).toBeGreaterThan(0);
          expect(await store.listBookingSummaries('P1', options)).toEqual(full.map(summary));
        }
        expect(await store.listBookingSummaries('P3')).toEqual([]);
      });

      it('upserts many bookings in one call', async () => {
        const many = Array.from({ length: 600 }, (_, i) => makeBooking({ bookingId: `B${i}` }));
        await store.upsertBookings(many, T0);
        await store.upsertBookings(many, at(1));
        expect(await store.listBookings('P1')).toHaveLength(600);
      });

      it('prunes ended bookings whose codes are all revoked, with their codes, earliest departure first', async () => {
        const stay = (bookingId: string, departureDate: string, propertyId = 'P1') =>
          makeBooking({ propertyId, bookingId, arrivalDate: '2026-01-01', departureDate });
        await store.upsertBookings(
          [
            stay('GONE', '2026-02-10'),
            stay('EARLIEST', '2026-02-01'),
            stay('NO-CODES', '2026-02-20'),
            stay('ACTIVE', '2026-02-05'),
            stay('FAILED', '2026-02-05'),
            stay('RECENT', '2026-03-01'),
            stay('TOKEN', '2026-02-01'),
            stay('TOKEN-FAILED', '2026-02-01'),
          ],
          T0,
        );
        // The PMS still shows our token for these two: its delete is due (or failed).
        await store.updateBookingState('P1', 'TOKEN', { writeBackKey: 'k1' }, T0);
        await store.updateBookingState('P1', 'TOKEN-FAILED', { writeBackError: 'PMS said 500' }, T0);
        await store.upsertBookings([stay('OTHER', '2026-02-01', 'P2')], T0);
        const code = (bookingId: string, lockId: string, state: AccessCode['state'], propertyId = 'P1') =>
          makeAccessCode({ propertyId, bookingId, lockId, state });
        await store.saveAccessCodes([
          code('GONE', 'L1', 'revoked'),
          code('GONE', 'L2', 'revoked'),
          code('EARLIEST', 'L1', 'revoked'),
          code('ACTIVE', 'L1', 'revoked'),
          code('ACTIVE', 'L2', 'active'),
          code('FAILED', 'L1', 'failed'),
          code('RECENT', 'L1', 'revoked'),
          code('OTHER', 'L1', 'revoked', 'P2'),
        ]);
        const bookingIds = async (propertyId = 'P1') =>
          (await store.listBookings(propertyId)).map((b) => b.bookingId).sort();

        expect(await store.pruneEndedBookings('P1', { departedBefore: '2026-02-25', limit: 2 })).toBe(2);
        // Earliest departures first: EARLIEST (02-01), then GONE (02-10).
        expect(await bookingIds()).toEqual([
          'ACTIVE',
          'FAILED',
          'NO-CODES',
          'RECENT',
          'TOKEN',
          'TOKEN-FAILED',
        ]);
        expect(await store.pruneEndedBookings('P1', { departedBefore: '2026-02-25', limit: 10 })).toBe(1);
        expect(await store.pruneEndedBookings('P1', { departedBefore: '2026-02-25', limit: 10 })).toBe(0);
        expect(await bookingIds()).toEqual(['ACTIVE', 'FAILED', 'RECENT', 'TOKEN', 'TOKEN-FAILED']);
        // Their codes went with them; every other code stays.
        const left = await store.listAccessCodes({ includeRevoked: true, propertyId: 'P1' });
        expect(left.map((c) => `${c.bookingId}/${c.lockId}`).sort()).toEqual([
          'ACTIVE/L1',
          'ACTIVE/L2',
          'FAILED/L1',
          'RECENT/L1',
        ]);
        // The cutoff is strict, and other properties are untouched.
        expect(await store.pruneEndedBookings('P1', { departedBefore: '2026-03-01', limit: 10 })).toBe(0);
        expect(await store.pruneEndedBookings('P1', { departedBefore: '2026-03-02', limit: 0 })).toBe(0);
        expect(await bookingIds('P2')).toEqual(['OTHER']);
        expect(await store.listAccessCodes({ includeRevoked: true, propertyId: 'P2' })).toHaveLength(1);
      });
    });

    describe('access codes', () => {
      it('saves, reads and filters codes', async () => {
        const a = makeAccessCode({
          bookingId: 'B1',
          lockId: 'L1',
          lockCodeId: '77',
          lockPasscode: '583920',
          state: 'active',
        });
        const b = makeAccessCode({ bookingId: 'B2', lockId: 'L2' });
        const c = makeAccessCode({ propertyId: 'P2', bookingId: 'B9', lockId: 'L1', state: 'revoked' });
        await store.saveAccessCodes([a, b, c]);
        expect(await store.getAccessCode(a.id)).toEqual(a);
        expect((await store.listAccessCodes({ propertyId: 'P1' })).map((x) => x.id).sort()).toEqual(
          [a.id, b.id].sort(),
        );
        expect((await store.listAccessCodes({ lockIds: ['L1'] })).map((x) => x.id)).toEqual([a.id]);
        expect(
          (await store.listAccessCodes({ lockIds: ['L1'], includeRevoked: true })).map((x) => x.id).sort(),
        ).toEqual([a.id, c.id].sort());
        expect((await store.listAccessCodes({ propertyId: 'P1', bookingId: 'B2' })).map((x) => x.id)).toEqual(
          [b.id],
        );
        expect(
          (await store.listAccessCodes({ bookingIds: ['B9', 'B1'], includeRevoked: true }))
            .map((x) => x.id)
            .sort(),
        ).toEqual([a.id, c.id].sort());
        expect(
          (await store.listAccessCodes({ propertyId: 'P1', bookingIds: ['B9', 'B2'] })).map((x) => x.id),
        ).toEqual([b.id]);
        expect(await store.listAccessCodes({ bookingIds: [] })).toEqual([]);
        expect(
          (await store.listAccessCodes({ ids: [c.id, 'nope', a.id], includeRevoked: true })).map((x) => x.id),
        ).toEqual([a.id, c.id].sort());
        expect((await store.listAccessCodes({ ids: [c.id, a.id] })).map((x) => x.id)).toEqual([a.id]);
        // An id asked for twice is one row.
        expect((await store.listAccessCodes({ ids: [a.id, c.id, a.id, a.id] })).map((x) => x.id)).toEqual([
          a.id,
        ]);
        expect(
          (await store.listAccessCodes({ ids: [a.id, b.id, c.id], bookingIds: ['B2'] })).map((x) => x.id),
        ).toEqual([b.id]);
        expect(await store.listAccessCodes({ ids: [] })).toEqual([]);
      });

      it('lists the codes of many bookings or ids, across more than one IN list holds', async () => {
        const codes = Array.from({ length: 1100 }, (_, i) =>
          makeAccessCode({ bookingId: `B${i}`, lockId: `L${i % 7}` }),
        );
        await store.saveAccessCodes(codes);
        const found = await store.listAccessCodes({ bookingIds: codes.map((c) => c.bookingId).reverse() });
        expect(found.map((c) => c.id).sort()).toEqual(codes.map((c) => c.id).sort());
        const byId = await store.listAccessCodes({ ids: codes.map((c) => c.id).reverse() });
        expect(byId.map((c) => c.id).sort()).toEqual(codes.map((c) => c.id).sort());
      });

      it('replaces a whole row on save', async () => {
        const a = makeAccessCode();
        await store.saveAccessCodes([a]);
        const changed = {
          ...a,
          passcode: '918273',
          revision: 2,
          lockCodeId: '12',
          lockPasscode: '583920',
          lastError: 'x',
        };
        await store.saveAccessCodes([changed]);
        expect(await store.getAccessCode(a.id)).toEqual(changed);
      });

      it('inserts only rows whose id is free, and names the taken ones', async () => {
        const a = makeAccessCode({ bookingId: 'B1', lockCodeId: '77', state: 'active' });
        await store.saveAccessCodes([a]);
        const b = makeAccessCode({ bookingId: 'B2' });
        const rival = { ...a, lockCodeId: null, state: 'pending' as const };
        expect(await store.insertAccessCodes([rival, b])).toEqual([a.id]);
        expect(await store.getAccessCode(a.id)).toEqual(a);
        expect(await store.getAccessCode(b.id)).toEqual(b);
        expect(await store.insertAccessCodes([])).toEqual([]);
      });

      it('patches with compare-and-set on the revision', async () => {
        const a = makeAccessCode({ revision: 3 });
        await store.saveAccessCodes([a]);
        expect(
          await store.updateAccessCode(a.id, { state: 'active', lockCodeId: '5' }, { expectedRevision: 2 }),
        ).toBe(false);
        expect(await store.getAccessCode(a.id)).toMatchObject({ state: 'pending', lockCodeId: null });
        expect(
          await store.updateAccessCode(a.id, { state: 'active', lockCodeId: '5' }, { expectedRevision: 3 }),
        ).toBe(true);
        expect(await store.getAccessCode(a.id)).toMatchObject({
          state: 'active',
          lockCodeId: '5',
          revision: 3,
        });
        expect(await store.updateAccessCode(a.id, { lastError: 'boom', attempts: 2 })).toBe(true);
        expect(await store.getAccessCode(a.id)).toMatchObject({ lastError: 'boom', attempts: 2 });
        expect(await store.updateAccessCode('missing', { lastError: 'x' })).toBe(false);
      });
    });

    describe('job queue', () => {
      it('claims due jobs only, oldest first, with a lease', async () => {
        const [a, b, c] = await store.enqueueJobs(
          [
            { kind: 'lock', propertyId: 'P1', payload: { codeId: 'a' }, runAfter: at(5) },
            { kind: 'lock', propertyId: 'P1', payload: { codeId: 'b' }, runAfter: at(1) },
            { kind: 'lock', propertyId: 'P1', payload: { codeId: 'c' }, runAfter: at(100) },
          ],
          T0,
        );
        const claimed = await store.claimJobs({ owner: 'w1', limit: 10, leaseMs: 30_000, now: at(10) });
        expect(claimed.map((j) => j.id)).toEqual([b, a]);
        expect(claimed[0]).toMatchObject({
          status: 'running',
          leaseOwner: 'w1',
          attempts: 1,
          payload: { codeId: 'b' },
        });
        expect(claimed[0]!.leaseExpiresAt?.getTime()).toBe(at(40).getTime());
        expect(await store.claimJobs({ owner: 'w2', limit: 10, leaseMs: 30_000, now: at(10) })).toEqual([]);
        expect((await store.getJob(c!))?.status).toBe('queued');
      });

      it('claims the lowest priority first, then the oldest runAfter, then the oldest job', async () => {
        const job = (codeId: string, runAfter: Date, priority?: number) => ({
          kind: 'lock',
          propertyId: 'P1',
          payload: { codeId },
          runAfter,
          ...(priority === undefined ? {} : { priority }),
        });
        const [later, soon, dflt, soonOlder, urgent, notDue] = await store.enqueueJobs(
          [
            job('later', at(1), 29_000_000),
            job('soon', at(2), 28_000_000),
            job('default', at(3)),
            job('soon-older', at(1), 28_000_000),
            job('urgent', at(4), -5),
            job('not-due', at(50), -10),
          ],
          T0,
        );
        const first = await store.claimJobs({ owner: 'w1', limit: 2, leaseMs: 30_000, now: at(10) });
        expect(first.map((j) => j.id)).toEqual([urgent, dflt]);
        expect(first.map((j) => j.priority)).toEqual([-5, 0]);
        const rest = await store.claimJobs({ owner: 'w1', limit: 10, leaseMs: 30_000, now: at(10) });
        expect(rest.map((j) => j.id)).toEqual([soonOlder, soon, later]);
        expect((await store.getJob(notDue!))?.status).toBe('queued');
        expect((await store.getJob(later!))?.priority).toBe(29_000_000);
      });

      it('keeps the more urgent priority when a key is enqueued again, queued or running', async () => {
        const key = { kind: 'lock', propertyId: 'P1', payload: { codeId: 'k' }, dedupeKey: 'lock:k' };
        const [a] = await store.enqueueJobs([{ ...key, priority: 500 }], T0);
        await store.enqueueJobs([{ ...key, priority: 900 }], at(1));
        expect((await store.getJob(a!))?.priority).toBe(500);
        await store.enqueueJobs([{ ...key, priority: 100 }], at(2));
        expect((await store.getJob(a!))?.priority).toBe(100);
        await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 60_000, now: at(3) });
        await store.enqueueJobs([{ ...key, priority: 7 }], at(4));
        expect(await store.completeJob(a!, 'w1', at(5))).toBe(true);
        expect(await store.getJob(a!)).toMatchObject({ status: 'queued', priority: 7 });
      });

      it('rejects a priority that is not a whole number, naming it', async () => {
        await expect(
          store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {}, priority: 1.5 }], T0),
        ).rejects.toThrow(/priority.*1\.5/);
        expect((await store.countJobs()).queued).toBe(0);
      });

      it('respects the claim limit, kinds and property filters', async () => {
        await store.enqueueJobs(
          [
            { kind: 'lock', propertyId: 'P1', payload: {} },
            { kind: 'writeback', propertyId: 'P1', payload: {} },
            { kind: 'lock', propertyId: 'P2', payload: {} },
            { kind: 'lock', propertyId: 'P1', payload: {} },
          ],
          T0,
        );
        expect(await store.claimJobs({ owner: 'w', limit: 1, leaseMs: 1000, now: T0 })).toHaveLength(1);
        const writebacks = await store.claimJobs({
          owner: 'w',
          limit: 10,
          leaseMs: 1000,
          now: T0,
          kinds: ['writeback'],
        });
        expect(writebacks.map((j) => j.kind)).toEqual(['writeback']);
        const p2 = await store.claimJobs({ owner: 'w', limit: 10, leaseMs: 1000, now: T0, propertyId: 'P2' });
        expect(p2.map((j) => j.propertyId)).toEqual(['P2']);
      });

      it('completes a job only for the lease owner', async () => {
        const [id] = await store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], T0);
        await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 1000, now: T0 });
        expect(await store.completeJob(id!, 'w2', at(1))).toBe(false);
        expect(await store.completeJob(id!, 'w1', at(1))).toBe(true);
        expect((await store.getJob(id!))?.status).toBe('done');
        expect(await store.completeJob(id!, 'w1', at(2))).toBe(false);
      });

      it("renews a running job's lease for its owner only, so it is not reclaimed meanwhile", async () => {
        const [id] = await store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], T0);
        await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 10_000, now: T0 });
        expect(await store.renewJobLease(id!, 'w2', at(100))).toBe(false);
        expect(await store.renewJobLease(id!, 'w1', at(100))).toBe(true);
        expect((await store.getJob(id!))?.leaseExpiresAt).toEqual(at(100));
        // Past the first lease, before the renewed one: nobody can take it.
        expect(await store.claimJobs({ owner: 'w2', limit: 1, leaseMs: 10_000, now: at(50) })).toEqual([]);
        const [reclaimed] = await store.claimJobs({ owner: 'w2', limit: 1, leaseMs: 10_000, now: at(100) });
        expect(reclaimed).toMatchObject({ id, leaseOwner: 'w2' });
        expect(await store.renewJobLease(id!, 'w1', at(200))).toBe(false);
        expect(await store.completeJob(id!, 'w2', at(101))).toBe(true);
        expect(await store.renewJobLease(id!, 'w2', at(200))).toBe(false);
        expect(await store.renewJobLease('no-such-job', 'w2', at(200))).toBe(false);
      });

      it('fails with a retry time, then dead-letters keeping the last error', async () => {
        const [id] = await store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], T0);
        await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 1000, now: T0 });
        expect(await store.failJob(id!, 'w1', { error: 'busy', retryAt: at(60) }, at(1))).toBe(true);
        expect(await store.getJob(id!)).toMatchObject({
          status: 'queued',
          lastError: 'busy',
          leaseOwner: null,
        });
        expect(await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 1000, now: at(30) })).toEqual([]);
        const [again] = await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 1000, now: at(60) });
        expect(again?.attempts).toBe(2);
        expect(
          await store.failJob(id!, 'w1', { error: 'gave up: lock missing', retryAt: null }, at(61)),
        ).toBe(true);
        expect(await store.getJob(id!)).toMatchObject({ status: 'dead', lastError: 'gave up: lock missing' });
        expect(await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 1000, now: at(9999) })).toEqual([]);
        expect(await store.failJob(id!, 'w1', { error: 'x', retryAt: null }, at(62))).toBe(false);
      });

      it('reclaims a job whose lease expired; the old owner can no longer finish it', async () => {
        const [id] = await store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], T0);
        await store.claimJobs({ owner: 'dead-worker', limit: 1, leaseMs: 10_000, now: T0 });
        expect(await store.claimJobs({ owner: 'w2', limit: 1, leaseMs: 10_000, now: at(5) })).toEqual([]);
        const [reclaimed] = await store.claimJobs({ owner: 'w2', limit: 1, leaseMs: 10_000, now: at(10) });
        expect(reclaimed).toMatchObject({ id, leaseOwner: 'w2', attempts: 2 });
        expect(await store.completeJob(id!, 'dead-worker', at(11))).toBe(false);
        expect(await store.completeJob(id!, 'w2', at(11))).toBe(true);
      });

      it('de-duplicates queued jobs by key, keeping the earlier run time', async () => {
        const [a] = await store.enqueueJobs(
          [{ kind: 'sync.bookings', propertyId: 'P1', payload: { n: 1 }, dedupeKey: 'k', runAfter: at(50) }],
          T0,
        );
        const [b, c] = await store.enqueueJobs(
          [
            { kind: 'sync.bookings', propertyId: 'P1', payload: { n: 2 }, dedupeKey: 'k', runAfter: at(10) },
            { kind: 'sync.bookings', propertyId: 'P1', payload: { n: 3 }, dedupeKey: 'other' },
          ],
          at(1),
        );
        expect(b).toBe(a);
        expect(c).not.toBe(a);
        expect((await store.getJob(a!))?.runAfter.getTime()).toBe(at(10).getTime());
        expect((await store.countJobs()).queued).toBe(2);
      });

      it('never runs two jobs with one key at once: a key enqueued mid-run reruns the job after it', async () => {
        const [a] = await store.enqueueJobs(
          [{ kind: 'lock', propertyId: 'P1', payload: { codeId: 'c1' }, dedupeKey: 'lock:c1' }],
          T0,
        );
        await store.claimJobs({ owner: 'w1', limit: 10, leaseMs: 60_000, now: at(1) });
        // The change arrives while w1 runs the job: the same job answers, with a rerun asked for.
        const [b] = await store.enqueueJobs(
          [
            {
              kind: 'lock',
              propertyId: 'P1',
              payload: { codeId: 'c1' },
              dedupeKey: 'lock:c1',
              runAfter: at(5),
            },
          ],
          at(2),
        );
        const [c] = await store.enqueueJobs(
          [{ kind: 'lock', propertyId: 'P1', payload: { codeId: 'c1' }, dedupeKey: 'lock:c1' }],
          at(3),
        );
        expect([b, c]).toEqual([a, a]);
        expect(await store.getJob(a!)).toMatchObject({ status: 'running', rerunAfter: at(3) });
        expect(await store.countJobs()).toMatchObject({ queued: 0, running: 1 });
        // Another worker finds nothing to run for that key while w1 holds it.
        expect(await store.claimJobs({ owner: 'w2', limit: 10, leaseMs: 60_000, now: at(4) })).toEqual([]);
        // Finishing the run queues it again, with a fresh attempt budget.
        expect(await store.completeJob(a!, 'w1', at(6))).toBe(true);
        expect(await store.getJob(a!)).toMatchObject({
          status: 'queued',
          runAfter: at(3),
          attempts: 0,
          rerunAfter: null,
          leaseOwner: null,
        });
        const [again] = await store.claimJobs({ owner: 'w2', limit: 10, leaseMs: 60_000, now: at(7) });
        expect(again).toMatchObject({ id: a, leaseOwner: 'w2', attempts: 1 });
        // Without a rerun request, completing ends it; the key is free for a new job.
        expect(await store.completeJob(a!, 'w2', at(8))).toBe(true);
        expect((await store.getJob(a!))?.status).toBe('done');
        const [d] = await store.enqueueJobs(
          [{ kind: 'lock', propertyId: 'P1', payload: { codeId: 'c1' }, dedupeKey: 'lock:c1' }],
          at(9),
        );
        expect(d).not.toBe(a);
      });

      it('a failed run with a rerun pending goes back to the queue', async () => {
        const key = { kind: 'lock', propertyId: 'P1', payload: {}, dedupeKey: 'lock:c2' } as const;
        const [a] = await store.enqueueJobs([key], T0);
        await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 60_000, now: at(1) });
        await store.enqueueJobs([key], at(2));
        // A retryable failure: the retry serves the rerun as well, at the retry time.
        expect(await store.failJob(a!, 'w1', { error: 'busy', retryAt: at(30) }, at(3))).toBe(true);
        expect(await store.getJob(a!)).toMatchObject({
          status: 'queued',
          runAfter: at(30),
          attempts: 1,
          rerunAfter: null,
        });
        await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 60_000, now: at(30) });
        await store.enqueueJobs([key], at(31));
        // A final failure: the rerun is new work, so the job is queued again, not dead.
        expect(await store.failJob(a!, 'w1', { error: 'gave up', retryAt: null }, at(32))).toBe(true);
        expect(await store.getJob(a!)).toMatchObject({
          status: 'queued',
          runAfter: at(31),
          attempts: 0,
          lastError: 'gave up',
        });
        await store.claimJobs({ owner: 'w1', limit: 1, leaseMs: 60_000, now: at(40) });
        expect(await store.failJob(a!, 'w1', { error: 'gave up again', retryAt: null }, at(41))).toBe(true);
        expect((await store.getJob(a!))?.status).toBe('dead');
      });

      it('de-duplicates within one batch', async () => {
        const ids = await store.enqueueJobs(
          [
            { kind: 'writeback', propertyId: 'P1', payload: {}, dedupeKey: 'wb:P1' },
            { kind: 'writeback', propertyId: 'P1', payload: {}, dedupeKey: 'wb:P1' },
          ],
          T0,
        );
        expect(ids[0]).toBe(ids[1]);
      });

      it('never hands one job to two concurrent claimers', async () => {
        await store.enqueueJobs(
          Array.from({ length: 50 }, (_, i) => ({ kind: 'lock', propertyId: 'P1', payload: { i } })),
          T0,
        );
        const batches = await Promise.all(
          ['a', 'b', 'c', 'd'].map((owner) =>
            store.claimJobs({ owner, limit: 20, leaseMs: 60_000, now: at(1) }),
          ),
        );
        const ids = batches.flat().map((j) => j.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(50);
      });

      it('lists and counts jobs', async () => {
        await store.enqueueJobs(
          [
            { kind: 'lock', propertyId: 'P1', payload: {} },
            { kind: 'lock', propertyId: 'P2', payload: {} },
          ],
          T0,
        );
        await store.claimJobs({ owner: 'w', limit: 1, leaseMs: 1000, now: T0 });
        expect(await store.countJobs()).toEqual({ queued: 1, running: 1, done: 0, dead: 0 });
        expect(await store.countJobs({ propertyId: 'P2' })).toMatchObject({ queued: 1, running: 0 });
        expect(await store.listJobs({ status: 'running' })).toHaveLength(1);
        expect(await store.listJobs({ propertyId: 'P1' })).toHaveLength(1);
      });

      it('prunes done jobs finished before the cutoff, oldest first, and keeps every other job', async () => {
        const job = (n: number) => ({ kind: 'lock', propertyId: 'P1', payload: { n } });
        const ids = await store.enqueueJobs(
          [1, 2, 3, 4, 5, 6, 7].map((n) => (n === 6 ? { ...job(n), dedupeKey: 'k' } : job(n))),
          T0,
        );
        const claimed = await store.claimJobs({ owner: 'w', limit: 7, leaseMs: 60_000, now: T0 });
        expect(claimed).toHaveLength(7);
        const [d1, d2, d3, recent, dead, rerun, running] = ids as string[];
        // Three done long ago (the newest of them first), one done just now.
        await store.completeJob(d3!, 'w', at(3));
        await store.completeJob(d2!, 'w', at(2));
        await store.completeJob(d1!, 'w', at(1));
        await store.completeJob(recent!, 'w', at(100));
        await store.failJob(dead!, 'w', { error: 'gone for good', retryAt: null }, at(1));
        // A rerun asked for while it ran: completing it queues it again instead.
        await store.enqueueJobs([{ ...job(6), dedupeKey: 'k' }], at(1));
        await store.completeJob(rerun!, 'w', at(1));
        expect((await store.getJob(rerun!))?.status).toBe('queued');
        const queued = await store.enqueueJobs([job(8)], at(1));

        expect(await store.pruneJobs({ finishedBefore: at(50), limit: 2 })).toBe(2);
        // Lowest id first, whatever order they finished in.
        expect(await store.getJob(d1!)).toBeUndefined();
        expect(await store.getJob(d2!)).toBeUndefined();
        expect((await store.getJob(d3!))?.status).toBe('done');
        expect(await store.pruneJobs({ finishedBefore: at(50), limit: 100 })).toBe(1);
        expect(await store.pruneJobs({ finishedBefore: at(50), limit: 100 })).toBe(0);
        expect(await store.pruneJobs({ finishedBefore: at(500), limit: 0 })).toBe(0);

        expect((await store.getJob(recent!))?.status).toBe('done');
        expect((await store.getJob(dead!))?.status).toBe('dead');
        expect((await store.getJob(running!))?.status).toBe('running');
        expect((await store.getJob(queued[0]!))?.status).toBe('queued');
        expect((await store.getJob(rerun!))?.status).toBe('queued');
        // The cutoff is strict: a job finished exactly then stays.
        expect(await store.pruneJobs({ finishedBefore: at(100), limit: 100 })).toBe(0);
        expect(await store.pruneJobs({ finishedBefore: at(101), limit: 100 })).toBe(1);
        expect(await store.getJob(recent!)).toBeUndefined();
        expect(await store.countJobs()).toEqual({ queued: 2, running: 1, done: 0, dead: 1 });
      });
    });

    describe('audit logs and checkpoints', () => {
      it('prunes log rows written before the cutoff, reading at most `limit` oldest rows per log', async () => {
        const webhook = (seconds: number) =>
          store.appendWebhookLog({
            propertyId: 'P1',
            provider: 'acme-pms',
            receivedAt: at(seconds),
            status: 202,
            payload: `{"n":${seconds}}`,
            events: [],
            error: null,
          });
        for (const seconds of [1, 2, 3, 100]) await webhook(seconds);
        const writeBack = (seconds: number) => ({
          propertyId: 'P1',
          bookingId: `B${seconds}`,
          action: 'upsert' as const,
          at: at(seconds),
          ok: true,
          detail: 'code ****1',
          ref: null,
          error: null,
        });
        await store.appendWriteBackLogs([writeBack(1), writeBack(2), writeBack(100)]);
        const quarantined = (seconds: number) => ({
          propertyId: 'P1',
          source: 'acme-pms',
          recordId: `R${seconds}`,
          reason: 'no dates',
          raw: '{}',
          at: at(seconds),
        });
        await store.appendQuarantine([quarantined(1), quarantined(100)]);

        // Two oldest rows per log: webhooks 1 and 2, write-backs 1 and 2, quarantine 1 (100 is new).
        expect(await store.pruneLogs({ before: at(50), limit: 2 })).toBe(5);
        expect((await store.listWebhookLogs()).map((w) => w.payload)).toEqual(['{"n":100}', '{"n":3}']);
        expect((await store.listWriteBackLogs()).map((w) => w.bookingId)).toEqual(['B100']);
        expect((await store.listQuarantine()).map((q) => q.recordId)).toEqual(['R100']);
        expect(await store.pruneLogs({ before: at(50), limit: 2 })).toBe(1);
        expect(await store.pruneLogs({ before: at(50), limit: 2 })).toBe(0);
        expect(await store.pruneLogs({ before: at(500), limit: 0 })).toBe(0);
        // The cutoff is strict.
        expect(await store.pruneLogs({ before: at(100), limit: 10 })).toBe(0);
        expect(await store.pruneLogs({ before: at(101), limit: 10 })).toBe(3);
        expect(await store.listWebhookLogs()).toEqual([]);
        expect(await store.listWriteBackLogs()).toEqual([]);
        expect(await store.listQuarantine()).toEqual([]);
      });

      it('appends and lists webhook, write-back and quarantine entries newest first', async () => {
        await store.appendWebhookLog({
          propertyId: 'P1',
          provider: 'acme-pms',
          receivedAt: T0,
          status: 202,
          payload: '{"a":1}',
          events: ['x'],
          error: null,
        });
        await store.appendWebhookLog({
          propertyId: 'P1',
          provider: 'acme-pms',
          receivedAt: at(1),
          status: 401,
          payload: '{}',
          events: [],
          error: 'bad token',
        });
        const hooks = await store.listWebhookLogs({ propertyId: 'P1' });
        expect(hooks.map((h) => h.status)).toEqual([401, 202]);
        expect(hooks[1]).toMatchObject({ payload: '{"a":1}', events: ['x'], error: null });

        await store.appendWriteBackLogs([
          {
            propertyId: 'P1',
            bookingId: 'B1',
            action: 'upsert',
            at: T0,
            ok: true,
            detail: 'PIN *****3',
            ref: 't1',
            error: null,
          },
          {
            propertyId: 'P1',
            bookingId: 'B2',
            action: 'delete',
            at: at(1),
            ok: false,
            detail: '',
            ref: null,
            error: 'boom',
          },
        ]);
        expect((await store.listWriteBackLogs({ bookingId: 'B2' }))[0]).toMatchObject({
          ok: false,
          error: 'boom',
          action: 'delete',
        });
        expect(await store.listWriteBackLogs({ propertyId: 'P1', limit: 1 })).toHaveLength(1);

        await store.appendQuarantine([
          { propertyId: 'P1', source: 'acme-pms', recordId: null, reason: 'Id: missing', raw: '{}', at: T0 },
        ]);
        expect((await store.listQuarantine({ propertyId: 'P1' }))[0]).toMatchObject({
          reason: 'Id: missing',
          recordId: null,
        });
      });

      it('grants a lease to one owner at a time until it expires or is released', async () => {
        expect(await store.acquireLease('writeback:P1', 'w1', at(60), T0)).toBe(true);
        expect(await store.acquireLease('writeback:P1', 'w2', at(60), at(1))).toBe(false);
        expect(await store.acquireLease('writeback:P2', 'w2', at(60), at(1))).toBe(true);
        expect(await store.acquireLease('writeback:P1', 'w1', at(120), at(2))).toBe(true); // renew
        expect(await store.acquireLease('writeback:P1', 'w2', at(200), at(100))).toBe(false);
        expect(await store.acquireLease('writeback:P1', 'w2', at(200), at(120))).toBe(true); // expired
        await store.releaseLease('writeback:P1', 'w1'); // not the holder: no effect
        expect(await store.acquireLease('writeback:P1', 'w3', at(300), at(130))).toBe(false);
        await store.releaseLease('writeback:P1', 'w2');
        expect(await store.acquireLease('writeback:P1', 'w3', at(300), at(130))).toBe(true);
      });

      it('answers a probe (a lease asked until now) without keeping it, as lock leases use it', async () => {
        // LockLeases asks "does anyone wait?" by taking the waiting sign until `now`: refused
        // while another owner's sign is live, granted (and at once free again) when there is none.
        expect(await store.acquireLease('lock-waiting:L1', 'holder', T0, T0)).toBe(true);
        expect(await store.acquireLease('lock-waiting:L1', 'waiter', at(2), T0)).toBe(true);
        expect(await store.acquireLease('lock-waiting:L1', 'holder', at(1), at(1))).toBe(false);
        // A lease is free from the instant it expires.
        expect(await store.acquireLease('lock-waiting:L1', 'holder', at(2), at(2))).toBe(true);
      });

      it('lets exactly one of many concurrent claimants take a lease', async () => {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.acquireLease('busy', `w${i}`, at(60), T0)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('stores checkpoints', async () => {
        expect(await store.getCheckpoint('sync:P1')).toBeUndefined();
        await store.setCheckpoint('sync:P1', 'a');
        await store.setCheckpoint('sync:P1', 'b');
        expect(await store.getCheckpoint('sync:P1')).toBe('b');
      });
    });

    describe('transactions', () => {
      it('commits on success', async () => {
        await store.transaction(async (tx) => {
          await tx.upsertBookings([makeBooking()], T0);
          await tx.saveAccessCodes([makeAccessCode()]);
          await tx.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], T0);
        });
        expect(await store.getBooking('P1', 'B1')).toBeDefined();
        expect(await store.listAccessCodes({ propertyId: 'P1' })).toHaveLength(1);
        expect((await store.countJobs()).queued).toBe(1);
      });

      it('rolls back everything on error', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.upsertBookings([makeBooking()], T0);
            await tx.saveAccessCodes([makeAccessCode()]);
            await tx.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], T0);
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect(await store.getBooking('P1', 'B1')).toBeUndefined();
        expect(await store.listAccessCodes({ propertyId: 'P1' })).toHaveLength(0);
        expect((await store.countJobs()).queued).toBe(0);
      });

      it('runs nested transactions inside the outer one', async () => {
        const result = await store.transaction(async (tx) =>
          tx.transaction(async (inner) => {
            await inner.setCheckpoint('k', 'v');
            return 42;
          }),
        );
        expect(result).toBe(42);
        expect(await store.getCheckpoint('k')).toBe('v');
      });
    });
  });
}
