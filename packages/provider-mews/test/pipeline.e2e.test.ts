import { createEngine, createWebhookHandler, ManualClock } from '@brafa/core';
import { MemoryLock, MemoryStore, makeProperty } from '@brafa/core/testing';
import { describe, expect, it } from 'vitest';
import { newFake, providerFor, seed, useMsw, WEBHOOK_TOKEN } from './support/setup.js';

const server = useMsw();

/** The whole pipeline with core's engine: MEWS reservations → lock codes → PIN tokens in MEWS. */
async function setup() {
  const fake = newFake();
  server.use(...fake.handlers());
  const s = seed(fake);
  const clock = new ManualClock('2026-04-25T00:00:00Z');
  const store = new MemoryStore();
  const lock = new MemoryLock();
  const provider = providerFor(fake, { serviceIds: [s.serviceId], clock });
  await store.upsertProperty(makeProperty({ id: 'P1', provider: 'mews', timezone: 'Europe/Prague' }));
  const engine = createEngine({
    store,
    lock,
    providers: () => provider,
    passcode: { length: 6, secret: 'a-long-test-secret-for-the-pipeline' },
    clock,
    random: () => 0.5,
  });
  // Units come from MEWS resources; the operator assigns a lock to rooms 101 and 102.
  await engine.syncUnits('P1');
  await store.replaceLockAssignments('P1', [
    { propertyId: 'P1', lockId: 'L101', scope: 'unit', roomId: s.categoryId, unitName: '101' },
    { propertyId: 'P1', lockId: 'L102', scope: 'unit', roomId: s.categoryId, unitName: '102' },
  ]);
  const handler = createWebhookHandler({ store, providers: () => provider, clock });
  return { fake, s, clock, store, lock, engine, handler };
}

const WRITES = ['resourceAccessTokens/add', 'resourceAccessTokens/update', 'resourceAccessTokens/delete'];

describe('pipeline end to end (engine + MemoryStore + MemoryLock + MEWS fake)', () => {
  it('reservations → codes on the locks → PIN tokens with the right order, resource, value and validity', async () => {
    const { fake, s, store, lock, engine } = await setup();
    await engine.syncProperty('P1');
    await engine.dispatch({ untilIdle: true });

    const [onDoor101] = lock.codesOn('L101');
    const [onDoor102] = lock.codesOn('L102');
    expect(onDoor101).toBeDefined();
    expect(onDoor102).toBeDefined();

    const confirmedTokens = fake.activeTokens(s.reservations.confirmed);
    expect(confirmedTokens).toHaveLength(1);
    expect(confirmedTokens[0]).toMatchObject({
      ServiceOrderId: s.reservations.confirmed,
      ResourceId: s.rooms.r101,
      Type: 'PinCode',
      Value: onDoor101!.passcode,
      // ScheduledStartUtc/EndUtc, no buffers: the lock window and the token window agree.
      ValidityStartUtc: '2026-05-01T14:00:00Z',
      ValidityEndUtc: '2026-05-03T10:00:00Z',
    });
    expect(onDoor101!.validFrom).toEqual(new Date('2026-05-01T14:00:00Z'));
    expect(onDoor101!.validTo).toEqual(new Date('2026-05-03T10:00:00Z'));
    expect(fake.activeTokens(s.reservations.started)[0]).toMatchObject({
      ServiceOrderId: s.reservations.started,
      ResourceId: s.rooms.r102,
      Value: onDoor102!.passcode,
    });
    // Cancelled, optional (unknown) and unassigned reservations get nothing.
    for (const id of [s.reservations.canceled, s.reservations.optional, s.reservations.unassigned]) {
      expect(fake.activeTokens(id)).toEqual([]);
    }
    expect((await store.getBooking('P1', s.reservations.confirmed))!.writeBackRef).toBe(
      confirmedTokens[0]!.Id,
    );
    const status = await engine.status('P1');
    expect(status.bookingIssues).toEqual(
      expect.arrayContaining([
        { bookingId: s.reservations.unassigned, issue: 'no unit assigned in the PMS' },
      ]),
    );

    // A no-change re-sync: zero lock calls, zero MEWS writes.
    const lockCalls = lock.callCount();
    fake.requests.length = 0;
    await engine.syncProperty('P1');
    await engine.dispatch({ untilIdle: true });
    expect(lock.callCount()).toBe(lockCalls);
    expect(fake.requests.filter((r) => WRITES.includes(r.operation))).toEqual([]);
  });

  it('a webhook re-fetches the changed reservation and moves the token window; a cancellation deletes it', async () => {
    const { fake, s, store, lock, engine, handler } = await setup();
    await engine.syncProperty('P1');
    await engine.dispatch({ untilIdle: true });
    const tokenId = fake.activeTokens(s.reservations.confirmed)[0]!.Id;

    // The guest stays a night longer.
    fake.reservations.get(s.reservations.confirmed)!.ScheduledEndUtc = '2026-05-04T10:00:00Z';
    const body = JSON.stringify({
      EnterpriseId: fake.enterpriseId,
      IntegrationId: 'c8bee838-7fb1-4f4e-8fac-ac87008b2f90',
      Events: [{ Discriminator: 'ServiceOrderUpdated', Value: { Id: s.reservations.confirmed } }],
    });
    const post = (token: string) =>
      handler({ propertyId: 'P1', method: 'POST', query: { Token: token }, headers: {}, body });
    expect((await post('wrong')).status).toBe(401);
    fake.requests.length = 0;
    expect((await post(WEBHOOK_TOKEN)).status).toBe(202);
    // Answered without calling MEWS inline.
    expect(fake.requests).toEqual([]);
    await engine.dispatch({ untilIdle: true });
    expect(fake.calls('reservations/getAll/2023-06-06')[0]!.body.ReservationIds).toEqual([
      s.reservations.confirmed,
    ]);
    expect(lock.codesOn('L101')[0]!.validTo).toEqual(new Date('2026-05-04T10:00:00Z'));
    expect(fake.activeTokens(s.reservations.confirmed)).toEqual([
      expect.objectContaining({ Id: tokenId, ValidityEndUtc: '2026-05-04T10:00:00Z' }),
    ]);
    expect(fake.calls('resourceAccessTokens/add')).toHaveLength(0);

    // Cancelled in MEWS: the lock code goes and so does the token.
    fake.reservations.get(s.reservations.confirmed)!.State = 'Canceled';
    await engine.syncProperty('P1');
    await engine.dispatch({ untilIdle: true });
    expect(lock.codesOn('L101')).toEqual([]);
    expect(fake.activeTokens(s.reservations.confirmed)).toEqual([]);
    expect(fake.tokens.get(tokenId)!.IsActive).toBe(false);
    const logs = await store.listWriteBackLogs({ propertyId: 'P1', bookingId: s.reservations.confirmed });
    expect(logs.map((l) => l.action).sort()).toEqual(['delete', 'upsert', 'upsert']);
    for (const l of logs) expect(l.detail).not.toContain(fake.tokens.get(tokenId)!.Value);
  });
});
