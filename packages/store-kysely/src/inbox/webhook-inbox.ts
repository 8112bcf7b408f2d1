import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AcceptedWebhook, NewJob, Store, WebhookLog } from '@brafa/core';
import type Database from 'better-sqlite3';
import { DEFAULT_CACHE_SIZE_KB } from '../dialect/sqlite.js';
import { sqlitePath } from '../open-store.js';

export interface WebhookInboxOptions {
  /** How long a write waits for the other connection's lock on the inbox file (default 5000). */
  busyTimeoutMs?: number;
  /** Accepted webhooks moved per store transaction (default 500). */
  batchSize?: number;
}

interface Row {
  id: number;
  entry: string;
}

/**
 * The inbox of a webhook service on SQLite: a second, tiny SQLite file next to the database
 * (`<database>-inbox`) where each acknowledged webhook is written (its jobs and log row) in one
 * synchronous insert, then moved into the store by the worker.
 *
 * Why: SQLite has one write lock per file. With the worker thread planning and committing lock
 * work on the main database, an ack that wrote there waited for whatever transaction the worker
 * held (tens of milliseconds under load). Here an ack only ever contends with the mover's quick
 * deletes. An ack is as durable as before: the 202 is sent after the insert committed (WAL,
 * `synchronous = NORMAL`: a process crash loses nothing committed).
 *
 * Moves are exactly-once: the id of the last moved entry is recorded in the store in the same
 * transaction as the jobs and log rows (`setCheckpoint`), under a key unique to this inbox file,
 * and entries up to it are skipped and deleted. Several movers (several services on one
 * database) are safe: each re-reads the checkpoint inside its transaction.
 */
export class WebhookInbox {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly checkpointKey: string;
  private readonly batchSize: number;
  private readonly insert: Database.Statement<[string]>;
  private readonly select: Database.Statement<[number, number], Row>;
  private readonly remove: Database.Statement<[number]>;
  private readonly count: Database.Statement<[], { n: number }>;

  /** `db`: a better-sqlite3 connection to the inbox file (see `openWebhookInbox`). */
  constructor(db: Database.Database, options: Omit<WebhookInboxOptions, 'busyTimeoutMs'> = {}) {
    this.path = db.name;
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.db = db;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // A queue of a few rows between two processes: SQLite's default cache, not the 16 MB
    // better-sqlite3 builds in (see `SqliteTuning.cacheSizeKb`).
    this.db.pragma(`cache_size = -${DEFAULT_CACHE_SIZE_KB}`);
    this.db.exec(`
      create table if not exists webhook_inbox (id integer primary key autoincrement, entry text not null);
      create table if not exists webhook_inbox_meta (key text primary key, value text not null);
    `);
    // An identity per inbox file: a deleted and re-created inbox starts its ids at 1 again,
    // and must not be taken for entries an older file already moved.
    this.db
      .prepare('insert or ignore into webhook_inbox_meta (key, value) values (?, ?)')
      .run('id', randomUUID());
    const { value } = this.db.prepare('select value from webhook_inbox_meta where key = ?').get('id') as {
      value: string;
    };
    this.checkpointKey = `webhook-inbox:${value}`;
    this.insert = this.db.prepare('insert into webhook_inbox (entry) values (?)');
    this.select = this.db.prepare('select id, entry from webhook_inbox where id > ? order by id limit ?');
    this.remove = this.db.prepare('delete from webhook_inbox where id <= ?');
    this.count = this.db.prepare('select count(*) as n from webhook_inbox');
  }

  /** A `WebhookSink` for `createWebhookHandler`: resolves once the entry is committed. */
  readonly accept = async (accepted: AcceptedWebhook): Promise<void> => {
    this.insert.run(encode(accepted));
  };

  /** Entries not yet moved into the store. */
  pending(): number {
    return this.count.get()?.n ?? 0;
  }

  /** Move every accepted webhook into `store` (jobs enqueued, log rows appended); returns how many. */
  async moveInto(store: Store): Promise<number> {
    let moved = Number((await store.getCheckpoint(this.checkpointKey)) ?? 0);
    // Entries a crash left here after their move had committed.
    this.remove.run(moved);
    let total = 0;
    for (;;) {
      const rows = this.select.all(moved, this.batchSize);
      const last = rows.at(-1);
      if (!last) return total;
      total += await store.transaction(async (tx) => {
        const done = Number((await tx.getCheckpoint(this.checkpointKey)) ?? 0);
        const fresh = rows.filter((r) => r.id > done);
        for (const row of fresh) {
          const { jobs, log, now } = decode(row.entry);
          if (jobs.length) await tx.enqueueJobs(jobs, now);
          await tx.appendWebhookLog(log);
        }
        await tx.setCheckpoint(this.checkpointKey, String(Math.max(done, last.id)));
        return fresh.length;
      });
      moved = last.id;
      this.remove.run(moved);
    }
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The inbox for a store URL: `<file>-inbox` next to a SQLite file; undefined for an in-memory
 * database (nothing else can open it) and for PostgreSQL (row locks: acks do not wait there).
 */
export async function openWebhookInbox(
  url: string,
  options: WebhookInboxOptions = {},
): Promise<WebhookInbox | undefined> {
  const path = webhookInboxPath(url);
  if (path === undefined) return undefined;
  // Loaded on demand, as in openStore: a PostgreSQL-only deployment never loads the driver.
  const { default: Sqlite } = await import('better-sqlite3');
  const { busyTimeoutMs, ...rest } = options;
  return new WebhookInbox(new Sqlite(path, { timeout: busyTimeoutMs ?? 5000 }), rest);
}

/**
 * Acknowledged webhooks in the inbox of a store URL that are not yet moved into `store`,
 * without moving them and without creating an inbox (0 when there is none).
 */
export async function countWaitingWebhooks(url: string, store: Store): Promise<number> {
  const path = webhookInboxPath(url);
  if (path === undefined || !existsSync(path)) return 0;
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(path, { fileMustExist: true, timeout: 5000 });
  try {
    const meta = db.prepare("select value from webhook_inbox_meta where key = 'id'").get() as
      | { value: string }
      | undefined;
    if (!meta) return 0;
    const moved = Number((await store.getCheckpoint(`webhook-inbox:${meta.value}`)) ?? 0);
    const row = db.prepare('select count(*) as n from webhook_inbox where id > ?').get(moved) as {
      n: number;
    };
    return row.n;
  } finally {
    db.close();
  }
}

export function webhookInboxPath(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const file = sqlitePath(url);
  return file === ':memory:' ? undefined : `${file}-inbox`;
}

interface Encoded {
  jobs: Array<Omit<NewJob, 'runAfter'> & { runAfter?: string }>;
  log: Omit<WebhookLog, 'receivedAt'> & { receivedAt: string };
  now: string;
}

function encode({ jobs, log, now }: AcceptedWebhook): string {
  const out: Encoded = {
    jobs: jobs.map(({ runAfter, ...job }) => ({
      ...job,
      ...(runAfter ? { runAfter: runAfter.toISOString() } : {}),
    })),
    log: { ...log, receivedAt: log.receivedAt.toISOString() },
    now: now.toISOString(),
  };
  return JSON.stringify(out);
}

function decode(text: string): AcceptedWebhook {
  const e = JSON.parse(text) as Encoded;
  return {
    jobs: e.jobs.map(({ runAfter, ...job }) => ({
      ...job,
      ...(runAfter ? { runAfter: new Date(runAfter) } : {}),
    })),
    log: { ...e.log, receivedAt: new Date(e.log.receivedAt) },
    now: new Date(e.now),
  };
}
