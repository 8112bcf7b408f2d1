import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '@brafa/core';
import { type RunningSandbox, startSandbox } from '@brafa/sandbox';
import { openWebhookInbox, webhookInboxPath } from '@brafa/store-kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../src/runtime.js';
import { configForSandbox } from '../src/sandbox/config.js';
import { type Service, startService } from '../src/serve/server.js';
import { acknowledgedWebhook, tempDir } from './support.js';

async function until<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * `brafa serve` as users run it: a real HTTP client posting MEWS webhooks to a loopback port,
 * with the worker loop on the service's event loop and in a thread of its own (the CLI's default).
 */
describe.each(['inline', 'thread'] as const)(
  'serve: webhooks and worker over real HTTP (%s worker)',
  (mode) => {
    const tmp = tempDir();
    let running: RunningSandbox;
    let rt: Runtime;
    let service: Service;
    let hook: string;
    const events: EngineEvent[] = [];
    const token = () => running.sandbox.inspect.mewsTokens({ propertyId: 'P1' });

    beforeAll(async () => {
      running = await startSandbox({
        scenario: {
          seed: 5,
          properties: [{ id: 'P1', provider: 'mews', units: 5, reservations: { count: 10, withinDays: 15 } }],
        },
      });
      const config = configForSandbox(running, {
        database: `sqlite:${join(tmp.dir, 'serve.db')}`,
        webhookToken: 'hook-token-123',
      });
      rt = await openRuntime(config, { onEvent: (e) => events.push(e) });
      await rt.engine.run();
      service = await startService(rt, { port: 0, pollMs: 60_000, worker: mode });
      hook = `${service.url}/webhooks/mews/P1`;
    });
    afterAll(async () => {
      await service.close();
      await rt.close();
      await running.close();
      tmp.cleanup();
    });

    const envelope = (ids: string[]) =>
      JSON.stringify({
        EnterpriseId: running.sandbox.credentials().mews.properties.P1!.enterpriseId,
        IntegrationId: 'c8bee838-7fb1-4f4e-8fac-ac87008b2f90',
        Events: ids.map((Id) => ({ Discriminator: 'ServiceOrderUpdated', Value: { Id } })),
      });

    it('answers /health', async () => {
      const res = await fetch(`${service.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true });
    });

    it('a webhook after a date change acks 202 at once, and the worker moves the lock and the MEWS token', async () => {
      const before = token()[0]!;
      const reservation = running.sandbox.scenario.reservation(before.ServiceOrderId);
      running.sandbox.scenario.changeDates(reservation.id, {
        arrival: reservation.arrival,
        departure: '2099-12-30',
      });
      const res = await fetch(`${hook}?Token=hook-token-123`, {
        method: 'POST',
        body: envelope([reservation.id]),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(202);
      const moved = await until(
        () => token().find((t) => t.ServiceOrderId === reservation.id),
        (t) => t?.ValidityEndUtc.startsWith('2099-12-30') ?? false,
      );
      expect(moved?.ValidityEndUtc).toMatch(/^2099-12-30/);
      expect(moved?.Value).toBe(before.Value);
      const lock = running.sandbox.scenario.locks('P1').find((l) => l.unitName === reservation.unitName)!;
      const code = running.sandbox.inspect.lockCodes(lock.lockId).find((c) => c.passcode === before.Value);
      expect(code?.endDate?.toISOString()).toMatch(/^2099-12-30/);
      // Engine events reach the runtime's handler from either loop. From the thread they come
      // in a message per turn of its loop, which may land after the write-back's MEWS request
      // (both cross to this thread on their own; seen once under a loaded full test run).
      const changed = () =>
        events.some((e) => e.type === 'lock.done' && e.op === 'change' && e.lockId === String(lock.lockId));
      expect(await until(changed, Boolean)).toBe(true);
    });

    it('refuses a wrong token (401), malformed JSON (400), a huge body (413) and an unknown property (404)', async () => {
      const post = (url: string, body: string) => fetch(url, { method: 'POST', body });
      expect((await post(`${hook}?Token=wrong`, envelope([]))).status).toBe(401);
      expect((await post(`${hook}`, envelope([]))).status).toBe(401);
      expect((await post(`${hook}?Token=hook-token-123`, '{nope')).status).toBe(400);
      expect((await post(`${hook}?Token=hook-token-123`, 'x'.repeat(1024 * 1024 + 10))).status).toBe(413);
      expect(
        (await post(`${service.url}/webhooks/mews/NOPE?Token=hook-token-123`, envelope([]))).status,
      ).toBe(404);
    });

    /** No job queued or running, and (thread mode) nothing left in the webhook inbox. */
    const settled = async () => {
      const jobs = await rt.store.countJobs();
      const inbox = await openWebhookInbox(rt.config.database);
      const pending = inbox?.pending() ?? 0;
      inbox?.close();
      return jobs.queued === 0 && jobs.running === 0 && pending === 0;
    };

    it('a replayed webhook makes no extra lock call', async () => {
      const id = token()[0]!.ServiceOrderId;
      const lockCalls = () =>
        running.sandbox.calls({ vendor: 'sciener' }).filter((c) => /keyboardPwd/.test(c.endpoint)).length;
      const send = () => fetch(`${hook}?Token=hook-token-123`, { method: 'POST', body: envelope([id]) });
      expect((await send()).status).toBe(202);
      expect(await until(settled, (done) => done)).toBe(true);
      const calls = lockCalls();
      expect((await send()).status).toBe(202);
      expect((await send()).status).toBe(202);
      expect(await until(settled, (done) => done)).toBe(true);
      expect(lockCalls()).toBe(calls);
    });

    it('every acknowledged webhook ends up in the webhook log', async () => {
      const id = token()[0]!.ServiceOrderId;
      const logged = async () => (await rt.store.listWebhookLogs({ propertyId: 'P1' })).length;
      const before = await logged();
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${hook}?Token=hook-token-123`, { method: 'POST', body: envelope([id]) });
        expect(res.status).toBe(202);
      }
      expect(await until(logged, (n) => n === before + 5)).toBe(before + 5);
      expect(await until(settled, (done) => done)).toBe(true);
    });

    it.runIf(mode === 'thread' && process.platform === 'linux')(
      'the worker thread runs at a lower CPU priority than the acks (Linux: nice 10)',
      () => {
        const nice = (tid: string) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          // Fields after the parenthesised name: state is field 3, nice is field 19.
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
        };
        const values = readdirSync('/proc/self/task').map(nice);
        expect(nice(String(process.pid))).toBe(0);
        expect(values).toContain(10);
      },
    );
  },
);

describe('serve: webhooks acknowledged by a service that then crashed', () => {
  it('are moved from the inbox and acted on when the service starts again', async () => {
    const tmp = tempDir();
    const running = await startSandbox({
      scenario: {
        seed: 7,
        properties: [{ id: 'P1', provider: 'mews', units: 3, reservations: { count: 4, withinDays: 15 } }],
      },
    });
    const database = `sqlite:${join(tmp.dir, 'crashed.db')}`;
    const config = configForSandbox(running, { database, webhookToken: 'hook-token-123' });
    const rt = await openRuntime(config);
    let service: Service | undefined;
    try {
      await rt.engine.run();
      const before = running.sandbox.inspect.mewsTokens({ propertyId: 'P1' })[0]!;
      const reservation = running.sandbox.scenario.reservation(before.ServiceOrderId);
      running.sandbox.scenario.changeDates(reservation.id, {
        arrival: reservation.arrival,
        departure: '2099-12-29',
      });
      // What a service acknowledged (202) just before it was killed: in the inbox, not yet moved.
      const inbox = await openWebhookInbox(database);
      expect(inbox?.path).toBe(webhookInboxPath(database));
      await inbox!.accept(acknowledgedWebhook('P1', reservation.id));
      inbox!.close();
      service = await startService(rt, { port: 0, pollMs: 60_000, worker: 'thread' });
      const moved = await until(
        () =>
          running.sandbox.inspect
            .mewsTokens({ propertyId: 'P1' })
            .find((t) => t.ServiceOrderId === reservation.id),
        (t) => t?.ValidityEndUtc.startsWith('2099-12-29') ?? false,
      );
      expect(moved?.ValidityEndUtc).toMatch(/^2099-12-29/);
      expect(await rt.store.listWebhookLogs({ propertyId: 'P1' })).toHaveLength(1);
    } finally {
      await service?.close();
      await rt.close();
      await running.close();
      tmp.cleanup();
    }
  });
});

describe('serve: a worker thread that cannot open its runtime', () => {
  it('fails the start with the reason, and leaves nothing running', async () => {
    const tmp = tempDir();
    try {
      const running = await startSandbox({
        scenario: {
          seed: 6,
          properties: [{ id: 'P1', provider: 'mews', units: 1, reservations: { count: 1 } }],
        },
      });
      const config = configForSandbox(running, { database: `sqlite:${join(tmp.dir, 'ok.db')}` });
      const rt = await openRuntime(config);
      // The thread opens the database the config names: one it cannot open fails the start.
      const broken = {
        ...rt,
        config: { ...rt.config, database: `sqlite:${join(tmp.dir, 'missing', 'x.db')}` },
      };
      await expect(startService(broken, { port: 0, worker: 'thread' })).rejects.toThrow(
        /cannot open the webhook inbox .*missing\/x\.db-inbox: /,
      );
      // And when the inbox opens but the thread's runtime cannot (no server at that address).
      const unopenable = { ...rt, config: { ...rt.config, database: 'postgres://nobody@127.0.0.1:1/none' } };
      await expect(startService(unopenable, { port: 0, worker: 'thread' })).rejects.toThrow(
        /worker thread: .*/,
      );
      await rt.close();
      await running.close();
    } finally {
      tmp.cleanup();
    }
  });
});
