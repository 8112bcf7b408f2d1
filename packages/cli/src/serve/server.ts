import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookHandler } from '@brafa/core';
import { openWebhookInbox, type WebhookInbox, webhookInboxPath } from '@brafa/store-kysely';
import type { Runtime } from '../runtime.js';
import { startInlineWorker, startThreadWorker, type WorkerLoop } from './worker-loop.js';

export interface ServiceOptions {
  port?: number;
  host?: string;
  /** Idle worker poll interval; webhooks wake the worker at once. */
  pollMs?: number;
  maxBodyBytes?: number;
  /**
   * Where the worker loop runs: `'inline'` (default) on this event loop, or `'thread'` in a
   * worker thread with its own runtime opened from `rt.config`, so acks never wait behind lock
   * work. A thread needs a database both can open (a file or PostgreSQL, not `sqlite::memory:`)
   * and sees only what the config builds (not providers swapped into `rt` in code).
   */
  worker?: 'inline' | 'thread';
}

export interface Service {
  url: string;
  /** Stop accepting, let the worker finish its current round, then resolve. */
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/** Read a body, giving up as soon as it is larger than the cap (never buffers a huge body). */
function readBody(req: IncomingMessage, cap: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > cap) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function openInbox(database: string): Promise<WebhookInbox | undefined> {
  try {
    return await openWebhookInbox(database);
  } catch (error) {
    throw new Error(
      `cannot open the webhook inbox ${webhookInboxPath(database)}: ${(error as Error).message}`,
    );
  }
}

/**
 * The webhook service: `POST /webhooks/:provider/:propertyId` (auth, log, enqueue, 202),
 * `GET /health`, and a worker loop that dispatches due jobs — woken by every accepted webhook
 * so a guest's code reaches the lock within a moment of the PMS change.
 */
export async function startService(rt: Runtime, options: ServiceOptions = {}): Promise<Service> {
  const cap = options.maxBodyBytes ?? MAX_BODY;
  const threaded = options.worker === 'thread';
  // On a SQLite file with the worker in a thread, acks go to an inbox file of their own (the
  // worker moves them into the database): they never wait for the worker's write lock.
  const inbox = threaded ? await openInbox(rt.config.database) : undefined;
  const handle = createWebhookHandler({
    store: rt.store,
    providers: (property) => rt.providers.get(property.id),
    logger: rt.logger,
    maxBodyBytes: cap,
    ...(inbox ? { accept: inbox.accept } : {}),
  });
  const pollMs = options.pollMs ?? rt.config.worker.pollSeconds * 1000;
  let worker: WorkerLoop;
  try {
    worker = threaded
      ? await startThreadWorker(rt, pollMs, { inbox: inbox !== undefined })
      : startInlineWorker(rt, pollMs);
  } catch (error) {
    inbox?.close();
    throw error;
  }
  // One wake per turn of the event loop, however many webhooks it acknowledged.
  let kicked = false;
  const kick = () => {
    if (kicked) return;
    kicked = true;
    setImmediate(() => {
      kicked = false;
      worker.wake();
    });
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/health') {
        send(res, 200, { ok: true, jobs: await rt.store.countJobs() });
        return;
      }
      const match = /^\/webhooks\/([a-z0-9-]+)\/([^/]+)$/.exec(url.pathname);
      if (!match) {
        send(res, 404, { ok: false, message: 'not found' });
        return;
      }
      const [, provider, rawId] = match;
      const propertyId = decodeURIComponent(rawId!);
      const configured = rt.config.properties.find((p) => p.id === propertyId);
      if (!configured || configured.provider !== provider) {
        send(res, 404, { ok: false, message: `no ${provider} webhook for property ${propertyId}` });
        return;
      }
      const body = await readBody(req, cap);
      if (body === 'too-large') {
        send(res, 413, { ok: false, message: `body larger than ${cap} bytes` });
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const result = await handle({
        propertyId,
        method: req.method ?? 'POST',
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
      });
      send(res, result.status, result.body);
      if (result.status === 202) kick();
    } catch (error) {
      rt.logger.error('webhook request failed', { error: (error as Error).message });
      if (!res.headersSent) send(res, 500, { ok: false, message: 'internal error' });
    }
  });
  server.keepAliveTimeout = 5_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await worker.close();
    inbox?.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      // The worker moves what is still in the inbox before it stops.
      await worker.close();
      inbox?.close();
    },
  };
}
