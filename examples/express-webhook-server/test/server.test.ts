import { randomUUID } from 'node:crypto';
import { configForSandbox } from '@brafa/cli';
import { type RunningSandbox, startSandbox, type WorldReservation } from '@brafa/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer } from '../src/server.mjs';

const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The example end to end: the Express server in-process, the sandbox as a real loopback HTTP
 * server (fake MEWS + TTLock), and webhooks sent with a real HTTP client.
 */
describe('express webhook server against the sandbox', () => {
  let running: RunningSandbox;
  let server: Awaited<ReturnType<typeof startServer>>;
  let reservation: WorldReservation;
  const logs: string[] = [];
  const webhookUrl = (token: string) => `${server.url}/webhooks/mews/P1?Token=${encodeURIComponent(token)}`;
  const envelope = (ids: string[]) =>
    JSON.stringify({
      EnterpriseId: running.sandbox.credentials().mews.properties.P1!.enterpriseId,
      IntegrationId: randomUUID(),
      Events: [
        ...ids.map((Id) => ({ Discriminator: 'ServiceOrderUpdated', Value: { Id } })),
        { Discriminator: 'CustomerUpdated', Value: { Id: randomUUID() } },
      ],
    });
  const lockOf = (r: WorldReservation) =>
    running.sandbox.scenario.locks('P1').find((l) => l.unitName === r.unitName)!.lockId;
  const codeOf = (r: WorldReservation) => {
    const token = running.sandbox.inspect.mewsTokens({ serviceOrderId: r.id })[0];
    const code = running.sandbox.inspect
      .lockCodes(lockOf(r))
      .find((c) => c.onDevice && c.passcode === token?.Value);
    return { token, code };
  };

  beforeAll(async () => {
    running = await startSandbox({
      scenario: {
        seed: 5,
        properties: [
          {
            id: 'P1',
            provider: 'mews',
            units: 5,
            reservations: { count: 10, withinDays: 14, cancelledRatio: 0 },
          },
        ],
      },
    });
    const config = configForSandbox(running, { database: 'sqlite::memory:', webhookToken: 'hook-secret' });
    // A long poll interval: only an accepted webhook can make the worker act quickly.
    server = await startServer({ config, port: 0, pollMs: 60_000, log: (line) => logs.push(line) });
    reservation = running.sandbox.scenario
      .reservations('P1')
      .find((r) => r.state === 'Confirmed' && r.unitName !== null)!;
  });
  afterAll(async () => {
    await server?.close();
    await running?.close();
  });

  it('answers the health check', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, jobs: { queued: 0 } });
  });

  it('initial sync puts a code on the lock and the token in MEWS', async () => {
    const result = await server.brafa.engine.run();
    expect(result.errors).toEqual([]);
    const { token, code } = codeOf(reservation);
    expect(token?.Value).toMatch(/^\d{6}$/);
    expect(code?.endDate?.getTime()).toBe(reservation.endUtc.getTime());
  });

  it('a MEWS webhook for a changed reservation moves the lock window and the MEWS token', async () => {
    const before = codeOf(reservation);
    const departure = isoDate(Date.parse(`${reservation.departure}T00:00:00Z`) + 2 * DAY);
    const changed = running.sandbox.scenario.changeDates(reservation.id, {
      arrival: reservation.arrival,
      departure,
    });

    const res = await fetch(webhookUrl('hook-secret'), { method: 'POST', body: envelope([reservation.id]) });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ok: true, message: 'accepted', jobs: 1 });

    // Bounded polling: the worker was woken by the webhook, not by its 60 s interval.
    await vi.waitFor(
      () => {
        const { token, code } = codeOf(changed);
        expect(code?.endDate?.getTime()).toBe(changed.endUtc.getTime());
        expect(Date.parse(token!.ValidityEndUtc)).toBe(changed.endUtc.getTime());
      },
      { timeout: 15_000, interval: 50 },
    );
    const after = codeOf(changed);
    expect(after.code!.passcode).toBe(before.code!.passcode); // same digits, new window
    expect(after.code!.endDate!.getTime()).toBeGreaterThan(before.code!.endDate!.getTime());
  });

  it('refuses a wrong or missing token with 401 and queues nothing', async () => {
    const jobs = async () => (await (await fetch(`${server.url}/health`)).json()).jobs;
    const before = await jobs();
    const wrong = await fetch(webhookUrl('not-the-secret'), {
      method: 'POST',
      body: envelope([reservation.id]),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ ok: false, message: 'unauthorized' });
    const missing = await fetch(`${server.url}/webhooks/mews/P1`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect(await jobs()).toEqual(before);
  });

  it('rejects a bad envelope (400), an unknown property (404) and a body over the limit (413)', async () => {
    const bad = await fetch(webhookUrl('hook-secret'), { method: 'POST', body: '{"Events": 1}' });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${server.url}/webhooks/mews/NOPE?Token=hook-secret`, {
      method: 'POST',
      body: envelope([]),
    });
    expect(unknown.status).toBe(404);
    const huge = await fetch(webhookUrl('hook-secret'), { method: 'POST', body: 'x'.repeat(300 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('never logs the webhook token or a full passcode', () => {
    const text = logs.join('\n');
    expect(text).toContain('webhook rejected'); // the 401s above were logged…
    expect(text).not.toContain('hook-secret');
    const pin = codeOf(reservation).code!.passcode;
    expect(text).not.toContain(pin); // …without the secrets
  });

  it('shuts down gracefully: the round in progress finishes, then the server stops', async () => {
    const other = running.sandbox.scenario
      .reservations('P1')
      .find((r) => r.state === 'Confirmed' && r.unitName !== null && r.id !== reservation.id)!;
    const changed = running.sandbox.scenario.changeDates(other.id, {
      arrival: other.arrival,
      departure: isoDate(Date.parse(`${other.departure}T00:00:00Z`) + DAY),
    });
    running.sandbox.latency.set([{ vendor: 'sciener', ms: 1000 }]);
    const mewsCalls = () => running.sandbox.calls({ vendor: 'mews' }).length;
    const callsBefore = mewsCalls();
    const res = await fetch(webhookUrl('hook-secret'), { method: 'POST', body: envelope([other.id]) });
    expect(res.status).toBe(202);
    // Close once the worker is mid-round (it has re-fetched the reservation from MEWS).
    await vi.waitFor(() => expect(mewsCalls()).toBeGreaterThan(callsBefore), {
      timeout: 10_000,
      interval: 10,
    });
    expect(codeOf(changed).code?.endDate?.getTime()).not.toBe(changed.endUtc.getTime());
    await server.close();
    expect(codeOf(changed).code?.endDate?.getTime()).toBe(changed.endUtc.getTime());
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    running.sandbox.latency.set([]);
  });
});
