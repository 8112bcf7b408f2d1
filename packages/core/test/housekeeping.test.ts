import { describe, expect, it } from 'vitest';
import { createEngine, type EngineOptions } from '../src/engine/engine.js';
import type { EngineEvent } from '../src/index.js';
import { ManualClock } from '../src/ports/clock.js';
import type { Logger } from '../src/ports/logger.js';
import { MemoryLock, MemoryStore, makeAccessCode, makeBooking, makeProperty } from '../src/testing/index.js';

const DAY = 86_400_000;
const SECRET = 'a-passcode-secret-long-enough-for-the-policy';

/** `count` jobs that ran and ended `done` at `at`. */
async function doneJobs(store: MemoryStore, count: number, at: Date): Promise<string[]> {
  const ids = await store.enqueueJobs(
    Array.from({ length: count }, (_, n) => ({ kind: 'lock', propertyId: 'P1', payload: { n } })),
    at,
  );
  await store.claimJobs({ owner: 'w', limit: count, leaseMs: 60_000, now: at });
  for (const id of ids) await store.completeJob(id, 'w', at);
  return ids;
}

async function webhookLogs(store: MemoryStore, times: Date[]): Promise<void> {
  for (const receivedAt of times)
    await store.appendWebhookLog({
      propertyId: 'P1',
      provider: 'pms',
      receivedAt,
      status: 202,
      payload: '{}',
      events: [],
      error: null,
    });
}

function engineOn(store: MemoryStore, clock: ManualClock, more: Partial<EngineOptions> = {}) {
  const events: EngineEvent[] = [];
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`),
    error: () => {},
  };
  const engine = createEngine({
    store,
    lock: new MemoryLock(),
    providers: () => undefined,
    passcode: { secret: SECRET },
    clock,
    logger,
    onEvent: (e) => events.push(e),
    ...more,
  });
  return { engine, events, warnings };
}

describe('done jobs, log rows and ended bookings past their retention', () => {
  it('are deleted after a dispatch; recent done, dead and queued jobs stay', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const store = new MemoryStore();
    const old = await doneJobs(store, 3, new Date(clock.now().getTime() - 8 * DAY));
    const recent = await doneJobs(store, 2, new Date(clock.now().getTime() - 6 * DAY));
    const [dead] = await store.enqueueJobs([{ kind: 'lock', propertyId: 'P1', payload: {} }], clock.now());
    await store.claimJobs({ owner: 'w', limit: 1, leaseMs: 60_000, now: clock.now() });
    await store.failJob(
      dead!,
      'w',
      { error: 'final', retryAt: null },
      new Date(clock.now().getTime() - 30 * DAY),
    );
    const [later] = await store.enqueueJobs(
      [{ kind: 'plan', propertyId: 'P1', payload: {} }],
      new Date(clock.now().getTime() + DAY),
    );
    // The dead job ended long before the retention too: it still waits for an operator.
    expect((await store.getJob(dead!))?.status).toBe('dead');

    const { engine, events } = engineOn(store, clock);
    await engine.dispatch();
    for (const id of old) expect(await store.getJob(id)).toBeUndefined();
    for (const id of recent) expect((await store.getJob(id))?.status).toBe('done');
    expect((await store.getJob(dead!))?.status).toBe('dead');
    expect((await store.getJob(later!))?.status).toBe('queued');
    expect(events.filter((e) => e.type === 'store.pruned')).toEqual([
      { type: 'store.pruned', jobs: 3, logs: 0, bookings: 0 },
    ]);
  });

  it('are looked for at most every ten minutes, and at once again while a backlog remains', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const store = new MemoryStore();
    // More than one turn deletes (10 batches of 1,000).
    await doneJobs(store, 10_500, new Date(clock.now().getTime() - 8 * DAY));
    let prunes = 0;
    const pruneJobs = store.pruneJobs.bind(store);
    store.pruneJobs = (options) => {
      prunes++;
      return pruneJobs(options);
    };
    const { engine, events } = engineOn(store, clock);
    await engine.dispatch();
    expect((await store.countJobs()).done).toBe(500);
    expect(prunes).toBe(10);
    // The last batch was full: the next dispatch goes on at once.
    await engine.dispatch();
    expect((await store.countJobs()).done).toBe(0);
    expect(prunes).toBe(11);
    // Nothing left: the next look is ten minutes away.
    await doneJobs(store, 2, new Date(clock.now().getTime() - 8 * DAY));
    await engine.dispatch();
    clock.advance(9 * 60_000);
    await engine.dispatch();
    expect(prunes).toBe(11);
    expect((await store.countJobs()).done).toBe(2);
    clock.advance(60_000);
    await engine.dispatch();
    expect(prunes).toBe(12);
    expect((await store.countJobs()).done).toBe(0);
    expect(events.filter((e) => e.type === 'store.pruned').map((e) => (e as { jobs: number }).jobs)).toEqual([
      10_000, 500, 2,
    ]);
  });

  it('follow the configured retention; Infinity keeps them, a negative one is refused by name', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const store = new MemoryStore();
    const ids = await doneJobs(store, 2, new Date(clock.now().getTime() - 2 * DAY));
    await webhookLogs(store, [new Date(clock.now().getTime() - 2 * DAY)]);
    const forever = {
      doneJobRetentionMs: Number.POSITIVE_INFINITY,
      logRetentionMs: Number.POSITIVE_INFINITY,
    };
    await engineOn(store, clock, forever).engine.dispatch();
    expect((await store.countJobs()).done).toBe(2);
    expect(await store.listWebhookLogs()).toHaveLength(1);
    await engineOn(store, clock, { doneJobRetentionMs: DAY, logRetentionMs: DAY }).engine.dispatch();
    for (const id of ids) expect(await store.getJob(id)).toBeUndefined();
    expect(await store.listWebhookLogs()).toEqual([]);
    expect(() => engineOn(store, clock, { doneJobRetentionMs: -1 })).toThrow(/doneJobRetentionMs/);
    expect(() => engineOn(store, clock, { logRetentionMs: Number.NaN })).toThrow(/logRetentionMs/);
  });

  it('include webhook, write-back and quarantine logs older than 30 days', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const store = new MemoryStore();
    const daysAgo = (days: number) => new Date(clock.now().getTime() - days * DAY);
    await webhookLogs(store, [daysAgo(31), daysAgo(29)]);
    await store.appendWriteBackLogs(
      [31, 1].map((days) => ({
        propertyId: 'P1',
        bookingId: `B${days}`,
        action: 'upsert' as const,
        at: daysAgo(days),
        ok: true,
        detail: 'code ****1',
        ref: null,
        error: null,
      })),
    );
    await store.appendQuarantine([
      { propertyId: 'P1', source: 'pms', recordId: 'R1', reason: 'no dates', raw: '{}', at: daysAgo(40) },
    ]);
    const { engine, events } = engineOn(store, clock);
    await engine.dispatch();
    expect((await store.listWebhookLogs()).map((w) => w.receivedAt)).toEqual([daysAgo(29)]);
    expect((await store.listWriteBackLogs()).map((w) => w.bookingId)).toEqual(['B1']);
    expect(await store.listQuarantine()).toEqual([]);
    expect(events.filter((e) => e.type === 'store.pruned')).toEqual([
      { type: 'store.pruned', jobs: 0, logs: 3, bookings: 0 },
    ]);
  });

  it('include bookings departed more than 30 days ago whose codes are all off their locks', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const store = new MemoryStore();
    await store.upsertProperty(makeProperty({ id: 'P1' }));
    const stay = (bookingId: string, departureDate: string) =>
      makeBooking({ bookingId, arrivalDate: '2026-04-01', departureDate });
    await store.upsertBookings(
      [stay('ENDED', '2026-04-30'), stay('STUCK', '2026-04-30'), stay('LATELY', '2026-05-05')],
      clock.now(),
    );
    await store.saveAccessCodes([
      makeAccessCode({ bookingId: 'ENDED', state: 'revoked' }),
      makeAccessCode({ bookingId: 'STUCK', state: 'pending_revoke' }),
      makeAccessCode({ bookingId: 'LATELY', state: 'revoked' }),
    ]);
    const { engine, events } = engineOn(store, clock);
    await engine.dispatch();
    expect((await store.listBookings('P1')).map((b) => b.bookingId).sort()).toEqual(['LATELY', 'STUCK']);
    expect(
      (await store.listAccessCodes({ propertyId: 'P1', includeRevoked: true }))
        .map((c) => c.bookingId)
        .sort(),
    ).toEqual(['LATELY', 'STUCK']);
    expect(events.filter((e) => e.type === 'store.pruned')).toEqual([
      { type: 'store.pruned', jobs: 0, logs: 0, bookings: 1 },
    ]);
    // Kept for ever when asked.
    const keep = new MemoryStore();
    await keep.upsertProperty(makeProperty({ id: 'P1' }));
    await keep.upsertBookings([stay('ENDED', '2026-04-02')], clock.now());
    await engineOn(keep, clock, { endedBookingRetentionMs: Number.POSITIVE_INFINITY }).engine.dispatch();
    expect(await keep.listBookings('P1')).toHaveLength(1);
  });

  it('are pruned by one turn at a time when dispatches overlap', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const store = new MemoryStore();
    await doneJobs(store, 3, new Date(clock.now().getTime() - 8 * DAY));
    let calls = 0;
    const pruneJobs = store.pruneJobs.bind(store);
    store.pruneJobs = async (options) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return pruneJobs(options);
    };
    const { engine } = engineOn(store, clock);
    await Promise.all([engine.dispatch(), engine.dispatch(), engine.dispatch()]);
    expect(calls).toBe(1);
    expect((await store.countJobs()).done).toBe(0);
  });

  it('that cannot be deleted leave the dispatch alone: the reason is logged, and tried again later', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const store = new MemoryStore();
    await doneJobs(store, 2, new Date(clock.now().getTime() - 8 * DAY));
    const pruneJobs = store.pruneJobs.bind(store);
    await webhookLogs(store, [new Date(clock.now().getTime() - 40 * DAY)]);
    store.pruneJobs = () => Promise.reject(new Error('database is locked'));
    const { engine, warnings } = engineOn(store, clock);
    await expect(engine.dispatch()).resolves.toMatchObject({ processed: 0 });
    expect(warnings).toEqual([expect.stringMatching(/old done jobs.*database is locked/)]);
    // The logs' turn still came.
    expect(await store.listWebhookLogs()).toEqual([]);
    store.pruneJobs = pruneJobs;
    clock.advance(10 * 60_000);
    await engine.dispatch();
    expect((await store.countJobs()).done).toBe(0);
  });
});
