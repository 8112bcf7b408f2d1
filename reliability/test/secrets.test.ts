import { openRuntime, secretsOf, startService } from '@brafa/cli';
import type { FaultRule } from '@brafa/sandbox';
import { openStore } from '@brafa/store-kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildResult, runBrafa, spawnBrafa } from './support/brafa-child.js';
import { advanceQueueClock } from './support/queue.js';
import { allPasscodes, findLeaks } from './support/secrets.js';
import { startWorld, tempDir, type World } from './support/world.js';

/**
 * Issue 9 §4: everything a full run under faults leaves behind — debug logs of the `brafa`
 * processes and of an in-process webhook service, every CLI output (plain and --json), and
 * the audit rows in the database — must hold no configured secret (tokens, passwords, client
 * secrets, the passcode secret) and no whole passcode.
 */
const faults: FaultRule[] = [
  {
    vendor: 'mews',
    rates: { serverError: 0.08, rateLimit: 0.04, lostResponse: 0.04 },
    retryAfterSeconds: 1,
    timeoutMs: 200,
  },
  {
    vendor: 'sciener',
    endpoint: '/v3/keyboardPwd/add',
    rates: { errcode: 0.1, lostResponse: 0.05 },
    timeoutMs: 200,
  },
  { vendor: 'beds24', rates: { serverError: 0.08, lostResponse: 0.04 }, timeoutMs: 200 },
  { vendor: 'tbf', rates: { serverError: 0.1 } },
];

describe('no secret and no whole passcode anywhere', () => {
  const tmp = tempDir('brafa-secrets-');
  let world: World;
  const texts: Array<{ source: string; text: string }> = [];
  const env = { BRAFA_LOG: 'debug' };
  const keep = (source: string, r: ChildResult) => {
    texts.push(
      { source: `${source} stdout`, text: r.stdout },
      { source: `${source} stderr`, text: r.stderr },
    );
    return r;
  };

  beforeAll(async () => {
    world = await startWorld(
      {
        scenario: {
          seed: 44,
          properties: [
            {
              id: 'P1',
              provider: 'mews',
              units: 8,
              entranceLock: true,
              reservations: { count: 25, withinDays: 14 },
            },
            { id: 'B1', provider: 'beds24', units: 4, reservations: { count: 10, withinDays: 14 } },
            { id: 'T1', provider: 'bookingfactory', units: 3, reservations: { count: 6, withinDays: 14 } },
          ],
        },
        beds24: { credits: { limit: 100_000 } },
      },
      tmp.dir,
      { webhookToken: 'webhook-shared-secret-5a1b' },
    );
  });
  afterAll(async () => {
    await world.close();
    tmp.cleanup();
  });

  it('in logs, CLI output and audit rows of a full run with faults', async () => {
    const { sandbox } = world.running;
    const { scenario } = sandbox;
    // A record the provider must quarantine (check-out before check-in).
    const broken = scenario.reservations('P1').find((r) => r.state === 'Confirmed')!;
    broken.endUtc = new Date(broken.startUtc.getTime() - 3_600_000);
    sandbox.faults.set(faults);

    // A run killed half-way, then runs under faults, one after expired TTLock tokens.
    const first = spawnBrafa(world.configFile, ['run'], { env, killAfterMs: 1200 });
    keep('killed run', await first.done);
    for (const args of [['run', '--json'], ['run']]) {
      await advanceQueueClock(world.database);
      keep(args.join(' '), await runBrafa(world.configFile, args, { env }));
    }
    scenario.expireScienerTokens();
    scenario.changeDates(
      scenario.reservations('P1').find((r) => r.state === 'Confirmed' && r !== broken)!.id,
      {
        arrival: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10),
        departure: new Date(Date.now() + 4 * 86_400_000).toISOString().slice(0, 10),
      },
    );

    // The webhook service in this process, its log captured line by line.
    const rt = await openRuntime(world.config, {
      log: (line) => texts.push({ source: 'service log', text: line }),
    });
    const service = await startService(rt, { port: 0, pollMs: 50 });
    try {
      const token = 'webhook-shared-secret-5a1b';
      const mews = world.config.properties.find((p) => p.id === 'P1')!.mews!;
      const send = (path: string, body: string) =>
        fetch(`${service.url}${path}`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
      const stay = scenario.reservations('P1').find((r) => r.state === 'Confirmed')!;
      const envelope = (events: unknown[]) =>
        JSON.stringify({ EnterpriseId: mews.enterpriseId, IntegrationId: 'i-1', Events: events });
      expect(
        (
          await send(
            `/webhooks/mews/P1?Token=${token}`,
            envelope([{ Discriminator: 'ServiceOrderUpdated', Value: { Id: stay.id } }]),
          )
        ).status,
      ).toBe(202);
      expect((await send('/webhooks/mews/P1?Token=wrong', envelope([]))).status).toBe(401);
      // An integration event that carries a live credential: logged, but redacted.
      const integration = JSON.stringify({
        Action: 'IntegrationCreated',
        Data: { AccessToken: mews.accessToken, ClientToken: mews.clientToken },
      });
      expect((await send(`/webhooks/mews/P1?Token=${token}`, integration)).status).toBe(202);
      const b = scenario.reservations('B1')[0]!;
      expect(
        (await send(`/webhooks/beds24/B1?token=${token}`, JSON.stringify({ booking: { id: Number(b.id) } })))
          .status,
      ).toBe(202);
      expect((await send(`/webhooks/beds24/B1?token=${token}`, '{broken')).status).toBe(400);
      await rt.engine.dispatch();
    } finally {
      await service.close();
      await rt.close();
    }

    sandbox.faults.clear();
    await advanceQueueClock(world.database);
    for (const args of [
      ['run'],
      ['status'],
      ['status', '--json'],
      ['plan'],
      ['plan', '--json'],
      ['audit'],
      ['audit', '--json'],
      ['dispatch', '--json'],
    ])
      keep(args.join(' '), await runBrafa(world.configFile, args, { env }));
    // A failing command's error path too (an unknown booking).
    keep(
      'reissue unknown',
      await runBrafa(world.configFile, ['reissue', '--property', 'P1', '--booking', 'nope'], { env }),
    );

    // Audit rows, read through the store API.
    const store = await openStore(world.database, { migrate: false });
    const rows = { webhook: 0, writeBack: 0, quarantine: 0, errors: 0 };
    try {
      for (const p of world.config.properties) {
        for (const l of await store.listWebhookLogs({ propertyId: p.id })) {
          rows.webhook++;
          texts.push({
            source: `webhook_logs ${p.id}`,
            text: `${l.payload} ${l.error ?? ''} ${l.events.join(',')}`,
          });
        }
        for (const l of await store.listWriteBackLogs({ propertyId: p.id })) {
          rows.writeBack++;
          texts.push({
            source: `writeback_logs ${p.id}`,
            text: `${l.detail} ${l.error ?? ''} ${l.ref ?? ''}`,
          });
        }
        for (const q of await store.listQuarantine({ propertyId: p.id })) {
          rows.quarantine++;
          texts.push({ source: `quarantine ${p.id}`, text: `${q.reason} ${q.raw}` });
        }
        for (const c of await store.listAccessCodes({ propertyId: p.id, includeRevoked: true }))
          if (c.lastError) {
            rows.errors++;
            texts.push({ source: `access_codes.last_error ${c.id}`, text: c.lastError });
          }
        for (const b of await store.listBookings(p.id))
          texts.push({
            source: `bookings ${b.bookingId}`,
            text: `${b.writeBackError ?? ''} ${b.issue ?? ''}`,
          });
      }
      for (const status of ['queued', 'running', 'done', 'dead'] as const)
        for (const j of await store.listJobs({ status, limit: 10_000 })) {
          if (j.lastError) rows.errors++;
          texts.push({ source: `jobs ${j.id}`, text: `${j.lastError ?? ''} ${JSON.stringify(j.payload)}` });
        }
    } finally {
      await store.close();
    }

    // The scan is not vacuous: debug logs, every kind of audit row and error paths were seen.
    const logLines = texts
      .filter((t) => t.source.endsWith('stderr') || t.source === 'service log')
      .reduce((n, t) => n + t.text.split('\n').length, 0);
    expect(logLines).toBeGreaterThan(50);
    expect(texts.some((t) => t.text.includes('"level":"debug"'))).toBe(true);
    expect(rows.webhook).toBeGreaterThanOrEqual(3);
    expect(rows.writeBack).toBeGreaterThan(10);
    expect(rows.quarantine).toBeGreaterThanOrEqual(1);
    expect(rows.errors).toBeGreaterThan(0);
    const secrets = secretsOf(world.config);
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const passcodes = allPasscodes(sandbox);
    expect(passcodes.length).toBeGreaterThan(25);

    expect(findLeaks(texts, secrets, passcodes)).toEqual([]);
  });
});

describe('the leak detector itself', () => {
  it('finds a secret anywhere and a passcode as a whole number only', () => {
    const leaks = findLeaks(
      [
        { source: 'a', text: 'token=abcd-secret-1234 in a URL' },
        { source: 'b', text: '{"pin":"482913"}' },
        { source: 'c', text: 'at 1764020613482913 ms, code *****3, id 4829130' },
      ],
      ['abcd-secret-1234'],
      ['482913'],
    );
    expect(leaks.map((l) => [l.source, l.what])).toEqual([
      ['a', 'secret of 16 characters'],
      ['b', 'a full passcode'],
    ]);
    expect(leaks[0]!.excerpt).not.toContain('abcd-secret-1234');
  });
});
