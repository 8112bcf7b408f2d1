import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AcceptedWebhook, Store } from '@brafa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countWaitingWebhooks,
  openStore,
  openWebhookInbox,
  type WebhookInbox,
  webhookInboxPath,
} from '../src/index.js';

let dir: string;
let url: string;
let store: Store;
const open: WebhookInbox[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'brafa-inbox-'));
  url = `sqlite:${join(dir, 'brafa.db')}`;
  store = await openStore(url);
});
afterEach(async () => {
  for (const inbox of open.splice(0)) inbox.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function inbox(): Promise<WebhookInbox> {
  const opened = await openWebhookInbox(url);
  if (!opened) throw new Error('expected an inbox for a SQLite file');
  open.push(opened);
  return opened;
}

const at = new Date('2026-06-01T12:00:00.000Z');
function accepted(i: number): AcceptedWebhook {
  return {
    jobs: [
      {
        kind: 'sync.bookings',
        propertyId: 'P1',
        payload: { bookingIds: [`R${i}`] },
        dedupeKey: `sync.bookings:P1:R${i}`,
      },
    ],
    log: {
      propertyId: 'P1',
      provider: 'mews',
      receivedAt: new Date(at.getTime() + i),
      status: 202,
      payload: `{"i":${i}}`,
      events: ['bookings.changed'],
      error: null,
    },
    now: at,
  };
}

describe('WebhookInbox', () => {
  it('lives next to a SQLite file, and nowhere for memory or PostgreSQL', async () => {
    expect(webhookInboxPath('sqlite:/data/brafa.db')).toBe('/data/brafa.db-inbox');
    expect(await openWebhookInbox('sqlite::memory:')).toBeUndefined();
    expect(await openWebhookInbox('postgres://u@127.0.0.1/db')).toBeUndefined();
  });

  it('moves accepted webhooks into the store: jobs enqueued, log rows appended, inbox emptied', async () => {
    const box = await inbox();
    for (let i = 0; i < 3; i++) await box.accept(accepted(i));
    expect(box.pending()).toBe(3);
    expect(await box.moveInto(store)).toBe(3);
    expect(box.pending()).toBe(0);
    const jobs = await store.listJobs({ status: 'queued' });
    expect(jobs.map((j) => j.dedupeKey).sort()).toEqual([
      'sync.bookings:P1:R0',
      'sync.bookings:P1:R1',
      'sync.bookings:P1:R2',
    ]);
    const logs = await store.listWebhookLogs({ propertyId: 'P1' });
    expect(logs).toHaveLength(3);
    expect(logs.map((l) => l.receivedAt.getTime()).sort()).toEqual([0, 1, 2].map((i) => at.getTime() + i));
    expect(await box.moveInto(store)).toBe(0);
  });

  it('counts what waits without moving it, and without creating an inbox', async () => {
    expect(await countWaitingWebhooks(url, store)).toBe(0);
    expect(existsSync(webhookInboxPath(url)!)).toBe(false);
    const box = await inbox();
    for (let i = 0; i < 3; i++) await box.accept(accepted(i));
    expect(await countWaitingWebhooks(url, store)).toBe(3);
    expect(box.pending()).toBe(3);
    await box.moveInto(store);
    expect(await countWaitingWebhooks(url, store)).toBe(0);
  });

  it('moves in batches, and an entry accepted while moving is moved by the next call', async () => {
    const box = await openWebhookInbox(url, { batchSize: 2 });
    if (!box) throw new Error('no inbox');
    open.push(box);
    for (let i = 0; i < 5; i++) await box.accept(accepted(i));
    expect(await box.moveInto(store)).toBe(5);
    await box.accept(accepted(5));
    expect(await box.moveInto(store)).toBe(1);
    expect(await store.listWebhookLogs()).toHaveLength(6);
  });

  it('never moves an entry twice when the process dies between the commit and the delete', async () => {
    const box = await inbox();
    for (let i = 0; i < 4; i++) await box.accept(accepted(i));
    // The store commits the move, then the "process dies" before the inbox rows are deleted.
    const dying: Store = Object.create(store, {
      transaction: {
        value: async <T>(fn: (tx: Store) => Promise<T>) => {
          await store.transaction(fn);
          throw new Error('killed after commit');
        },
      },
    });
    await expect(box.moveInto(dying)).rejects.toThrow('killed after commit');
    expect(box.pending()).toBe(4);
    // Still in the file, but already in the store: not waiting.
    expect(await countWaitingWebhooks(url, store)).toBe(0);
    const restarted = await inbox();
    expect(await restarted.moveInto(store)).toBe(0);
    expect(restarted.pending()).toBe(0);
    expect(await store.listWebhookLogs()).toHaveLength(4);
  });

  it('a failed move leaves every entry for the next one', async () => {
    const box = await inbox();
    await box.accept(accepted(0));
    const failing: Store = Object.create(store, {
      transaction: {
        value: async () => {
          throw new Error('database is locked');
        },
      },
    });
    await expect(box.moveInto(failing)).rejects.toThrow('database is locked');
    expect(box.pending()).toBe(1);
    expect(await box.moveInto(store)).toBe(1);
  });

  it('two movers on one inbox move each entry exactly once', async () => {
    const a = await inbox();
    const b = await inbox();
    for (let i = 0; i < 40; i++) await (i % 2 ? a : b).accept(accepted(i));
    const [x, y] = await Promise.all([a.moveInto(store), b.moveInto(store)]);
    expect(x + y).toBe(40);
    expect(await store.listWebhookLogs()).toHaveLength(40);
    expect(a.pending()).toBe(0);
  });

  it('a re-created inbox file is not mistaken for the old one (its ids start again)', async () => {
    const old = await inbox();
    for (let i = 0; i < 3; i++) await old.accept(accepted(i));
    await old.moveInto(store);
    old.close();
    open.splice(open.indexOf(old), 1);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${webhookInboxPath(url)}${suffix}`, { force: true });
    const fresh = await inbox();
    await fresh.accept(accepted(10));
    expect(await fresh.moveInto(store)).toBe(1);
    expect(await store.listWebhookLogs()).toHaveLength(4);
  });
});
