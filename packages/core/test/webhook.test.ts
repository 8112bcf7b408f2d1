import { beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import { ManualClock } from '../src/ports/clock.js';
import { MemoryLock, MemoryPms, MemoryStore, makeProperty } from '../src/testing/index.js';
import { createWebhookHandler } from '../src/webhooks/handler.js';

describe('webhook handler', () => {
  let store: MemoryStore;
  let pms: MemoryPms;
  let lock: MemoryLock;
  const clock = new ManualClock('2026-04-20T08:00:00Z');
  let handle: ReturnType<typeof createWebhookHandler>;
  const post = (body: string, token = 'hook-secret', propertyId = 'P1') =>
    handle({ propertyId, method: 'POST', query: { token }, headers: {}, body });

  beforeEach(async () => {
    store = new MemoryStore();
    pms = new MemoryPms('P1', { webhookToken: 'hook-secret', timezone: 'Europe/Prague' });
    lock = new MemoryLock();
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    await store.replaceLockAssignments('P1', [{ propertyId: 'P1', lockId: 'L1', scope: 'property' }]);
    pms.setBookings([
      {
        propertyId: 'P1',
        bookingId: 'B1',
        roomId: 'R1',
        unitName: '1',
        arrivalDate: '2026-04-25',
        departureDate: '2026-04-27',
        status: 'confirmed',
      },
    ]);
    handle = createWebhookHandler({ store, providers: () => pms, clock, maxBodyBytes: 1024 });
  });

  it('answers 202, logs the raw payload and enqueues one job, without calling the PMS', async () => {
    const body = JSON.stringify({ events: [{ type: 'booking.updated', ids: ['B1'] }] });
    const res = await post(body);
    expect(res).toEqual({ status: 202, body: { ok: true, message: 'accepted', jobs: 1 } });
    expect(pms.fetchCalls).toBe(0);
    const [log] = await store.listWebhookLogs({ propertyId: 'P1' });
    expect(log).toMatchObject({ status: 202, payload: body, events: ['bookings.changed'] });
    expect((await store.listJobs({ status: 'queued' })).map((j) => j.kind)).toEqual(['sync.bookings']);
  });

  it('a replay enqueues nothing new and makes no second lock call', async () => {
    const body = JSON.stringify({ events: [{ type: 'booking.updated', ids: ['B1'] }] });
    await post(body);
    await post(body);
    expect((await store.countJobs()).queued).toBe(1);
    const engine = createEngine({
      store,
      lock,
      providers: () => pms,
      passcode: { secret: 'webhook-secret' },
      clock,
    });
    await engine.dispatch();
    expect(lock.callCount('add')).toBe(1);
    await post(body);
    await engine.dispatch();
    expect(lock.callCount()).toBe(1);
    expect(pms.writeCount()).toBe(1);
  });

  it('rejects a wrong or missing token with 401 and does not log the body', async () => {
    expect((await post('{"events":[]}', 'wrong')).status).toBe(401);
    expect((await post('{"events":[]}', '')).status).toBe(401);
    expect(await store.listWebhookLogs()).toHaveLength(0);
    expect((await store.countJobs()).queued).toBe(0);
  });

  it('rejects malformed JSON with 400, oversize bodies with 413, other methods with 405, unknown properties with 404', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post('x'.repeat(2000))).status).toBe(413);
    expect((await handle({ propertyId: 'P1', method: 'GET', query: {}, headers: {}, body: '' })).status).toBe(
      405,
    );
    expect((await post('{}', 'hook-secret', 'nope')).status).toBe(404);
    expect((await store.listWebhookLogs())[0]).toMatchObject({ status: 400 });
  });

  it('acknowledges and logs unknown events without work', async () => {
    const res = await post(JSON.stringify({ events: [{ type: 'something.else' }] }));
    expect(res.status).toBe(202);
    expect(res.body.jobs).toBe(0);
    expect((await store.listWebhookLogs())[0]?.events).toEqual(['ignored:something.else']);
  });
});

describe('redactPayload', () => {
  it('cuts credentials out of logged webhook bodies', async () => {
    const { redactPayload } = await import('../src/webhooks/handler.js');
    const logged = redactPayload(
      JSON.stringify({
        Action: 'IntegrationCreated',
        Data: { AccessToken: 'live-token-123', ApiKey: 'key-456', Name: 'x' },
      }),
    );
    expect(logged).not.toContain('live-token-123');
    expect(logged).not.toContain('key-456');
    expect(logged).toContain('"Name":"x"');
    expect(redactPayload('not json')).toBe('not json');
  });
});
