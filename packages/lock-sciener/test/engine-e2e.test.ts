import {
  createEngine,
  type Engine,
  type EngineEvent,
  type LockAssignment,
  type UnitMapping,
} from '@brafa/core';
import { MemoryPms, MemoryStore, makeProperty } from '@brafa/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRig, type Rig, useMswServer } from './support/setup.js';

/**
 * The adapter under the real engine: MemoryStore, MemoryPms, and this adapter against the
 * stateful TTLock fake. These are the cases where adapter and engine must agree on meaning
 * (lost responses, retry classes, permanent reasons, the -3008 replacement).
 */

const server = useMswServer();

const mappings: UnitMapping[] = [
  {
    propertyId: 'P1',
    resourceId: 'res-101',
    resourceName: 'Room 101',
    roomId: 'R1',
    unitName: '101',
    primary: true,
  },
];
const assignments: LockAssignment[] = [
  { propertyId: 'P1', lockId: '101', scope: 'unit', roomId: 'R1', unitName: '101' },
  { propertyId: 'P1', lockId: '102', scope: 'property' },
];
const booking = (over: Record<string, unknown> = {}) => ({
  propertyId: 'P1',
  bookingId: 'B1',
  resourceId: 'res-101',
  guestName: 'Ada Guest',
  arrivalDate: '2026-04-25',
  departureDate: '2026-04-27',
  status: 'confirmed' as const,
  ...over,
});

describe('engine end to end with the TTLock adapter', () => {
  let rig: Rig;
  let store: MemoryStore;
  let pms: MemoryPms;
  let engine: Engine;
  let events: EngineEvent[];

  beforeEach(async () => {
    rig = createRig(server, { timeouts: { gatewayMs: 50 } });
    rig.clock.set('2026-04-20T08:00:00Z');
    store = new MemoryStore();
    pms = new MemoryPms('P1', { timezone: 'Europe/Prague' });
    events = [];
    await store.upsertProperty(makeProperty({ id: 'P1', timezone: 'Europe/Prague' }));
    await store.replaceUnitMappings('P1', mappings);
    await store.replaceLockAssignments('P1', assignments);
    engine = createEngine({
      store,
      lock: rig.lock,
      providers: () => pms,
      passcode: { secret: 'lock-sciener-e2e-secret' },
      clock: rig.clock,
      random: () => 0.5,
      onEvent: (e) => events.push(e),
    });
  });

  const run = async () => {
    await engine.syncProperty('P1');
    return engine.dispatch();
  };
  const codeRow = async (lockId: string) =>
    (await store.listAccessCodes({ propertyId: 'P1', bookingId: 'B1', includeRevoked: true })).find(
      (c) => c.lockId === lockId,
    );

  it('puts the code on both locks with addType 2, then writes it back once', async () => {
    pms.setBookings([booking()]);
    await run();
    const room = rig.fake.codes(101);
    const door = rig.fake.codes(102);
    expect(room).toEqual([
      expect.objectContaining({
        keyboardPwdName: 'brafa:B1',
        startDate: Date.parse('2026-04-25T13:00:00Z'),
        endDate: Date.parse('2026-04-27T09:00:00Z'),
        onLock: true,
      }),
    ]);
    expect(door[0]?.keyboardPwd).toBe(room[0]?.keyboardPwd);
    expect(pms.writeCount()).toBe(1);
    expect(pms.writtenFor('B1')?.passcode).toBe(room[0]?.keyboardPwd);
    expect(await codeRow('101')).toMatchObject({
      state: 'active',
      lockCodeId: String(room[0]?.keyboardPwdId),
    });
  });

  it('a timed-out add is not added twice: the retry meets -3007, finds our code, adopts it, writes back once', async () => {
    pms.setBookings([booking()]);
    rig.fake.loseNextResponse('keyboardPwd/add', 'hang');
    const first = await run();
    expect(first.retried).toBe(1);
    // The lost add reached the lock, but the booking's PIN is not shown to the guest yet.
    expect(rig.fake.codes(101).length + rig.fake.codes(102).length).toBe(2);
    expect(pms.writeCount()).toBe(0);

    rig.clock.advance(60_000);
    await engine.dispatch();
    expect(rig.fake.codes(101)).toHaveLength(1);
    expect(rig.fake.codes(102)).toHaveLength(1);
    expect(rig.fake.requestsTo('keyboardPwd/add')).toHaveLength(3);
    expect(rig.fake.errcodes.get(-3007)).toBe(1);
    expect(events.filter((e) => e.type === 'lock.done' && e.op === 'adopt')).toHaveLength(1);
    for (const lockId of [101, 102]) {
      expect(await codeRow(String(lockId))).toMatchObject({
        state: 'active',
        lockCodeId: String(rig.fake.codes(lockId)[0]?.keyboardPwdId),
      });
    }
    expect(pms.writeCount()).toBe(1);
    expect(pms.writtenFor('B1')?.passcode).toBe(rig.fake.codes(101)[0]?.keyboardPwd);
    // Nothing left to do: another round makes no TTLock call and no PMS write.
    const sent = rig.fake.requests.length;
    await run();
    expect(rig.fake.requests.length).toBe(sent);
    expect(pms.writeCount()).toBe(1);
  });

  it('a busy gateway (-3003) is retried by the engine and then succeeds', async () => {
    pms.setBookings([booking()]);
    rig.fake.failNext('keyboardPwd/add', -3003);
    const first = await run();
    expect(first.retried).toBe(1);
    rig.clock.advance(60_000);
    await engine.dispatch();
    expect(rig.fake.codes(101)).toHaveLength(1);
    expect(rig.fake.codes(102)).toHaveLength(1);
    expect(pms.writeCount()).toBe(1);
  });

  it('a full lock (-3009) is tried once more, then fails the code with its reason; nothing is written back', async () => {
    for (let i = 0; i < 250; i++) rig.fake.putCode(101, { keyboardPwd: String(100000 + i * 7) });
    pms.setBookings([booking()]);
    expect(await run()).toMatchObject({ retried: 1, dead: 0 });
    rig.clock.advance(60_000);
    const result = await engine.dispatch();
    expect(result.dead).toBe(1);
    const row = await codeRow('101');
    expect(row?.state).toBe('failed');
    expect(row?.lastError).toMatch(/CapacityError: .*errcode -3009 .*NO SPACE.* code=-3009/);
    expect(pms.writeCount()).toBe(0);
  });

  it('a date change on a code TTLock will not change (-3008) is replaced; a later cancellation removes the new code', async () => {
    pms.setBookings([booking()]);
    await run();
    const before = rig.fake.codes(101)[0]!;
    rig.fake.refuseChanges(101, before.keyboardPwdId);
    pms.updateBooking('B1', { departureDate: '2026-04-28' });
    await run();
    const after = rig.fake.codes(101);
    expect(after).toEqual([
      expect.objectContaining({
        keyboardPwd: before.keyboardPwd,
        keyboardPwdName: 'brafa:B1',
        endDate: Date.parse('2026-04-28T09:00:00Z'),
      }),
    ]);
    expect(after[0]?.keyboardPwdId).not.toBe(before.keyboardPwdId);
    expect(pms.writtenFor('B1')?.validTo.toISOString()).toBe('2026-04-28T09:00:00.000Z');

    pms.updateBooking('B1', { status: 'cancelled' });
    await run();
    expect(rig.fake.codes(101)).toEqual([]);
    expect(rig.fake.codes(102)).toEqual([]);
  });
});
