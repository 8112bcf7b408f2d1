/**
 * The worker loop of `brafa serve`, in a thread of its own (`startService(rt, { worker:
 * 'thread' })`): it opens its own runtime (store connection, PMS and TTLock clients) from the
 * config and dispatches jobs, so the main thread's event loop serves webhook acks without
 * waiting behind lock work. Messages: in `wake` / `stop`; out `ready`, `event`, `failed`.
 */
import { setPriority } from 'node:os';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { EngineEvent } from '@brafa/core';
import { openWebhookInbox, type WebhookInbox } from '@brafa/store-kysely';
import type { BrafaConfig } from '../config/schema.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { startInlineWorker, type WorkerLoop } from './worker-loop.js';
import type { WorkerMessage, WorkerRequest } from './worker-messages.js';

interface WorkerData {
  config: BrafaConfig;
  pollMs: number;
  workerId?: string;
  /** Move acknowledged webhooks from the database's inbox file (see `WebhookInbox`). */
  inbox: boolean;
}

if (!parentPort) throw new Error('worker-thread.js runs as a worker thread of `brafa serve`');
const port: MessagePort = parentPort;
const data = workerData as WorkerData;
const post = (message: WorkerMessage) => port.postMessage(message);

// Engine events go back once per turn of this thread's event loop, not one message each.
let pendingEvents: EngineEvent[] = [];
const flushEvents = () => {
  if (!pendingEvents.length) return;
  const events = pendingEvents;
  pendingEvents = [];
  post({ type: 'events', events });
};
const onEvent = (event: EngineEvent) => {
  if (!pendingEvents.length) setImmediate(flushEvents);
  pendingEvents.push(event);
};

let stop: () => void = () => {};
const stopRequested = new Promise<void>((resolve) => {
  stop = resolve;
});
let loop: WorkerLoop | undefined;
let wake = () => loop?.wake();
port.on('message', (message: WorkerRequest) => {
  if (message.type === 'stop') stop();
  else wake();
});

async function main(): Promise<void> {
  lowerPriority(data.config.worker.threadNiceness ?? DEFAULT_NICENESS);
  let inbox: WebhookInbox | undefined;
  try {
    const rt = await openRuntime(data.config, {
      onEvent,
      ...(data.workerId ? { workerId: data.workerId } : {}),
    });
    try {
      inbox = data.inbox ? await openWebhookInbox(data.config.database) : undefined;
      const mover = inbox && inboxMover(inbox, rt, () => loop?.wake());
      if (mover) wake = () => void mover();
      // Before every round too: entries a stopped or crashed service left behind, and any
      // whose wake-up was missed.
      loop = startInlineWorker(rt, data.pollMs, mover ? { beforeRound: mover } : {});
      post({ type: 'ready' });
      await stopRequested;
      await loop.close();
      await mover?.();
    } finally {
      inbox?.close();
      await rt.close();
    }
  } catch (error) {
    // The runtime redacts its own errors; a failure to open it names the config key or the store.
    post({ type: 'failed', message: (error as Error).message });
  }
  flushEvents();
  port.close();
}

/**
 * Acks are latency-bound and light; this thread's lock work is throughput-bound and heavy. On a
 * busy machine the kernel should run the acks first: on Linux, where a nice value belongs to a
 * thread, this thread lowers its own (the service's main thread keeps the process's). Elsewhere
 * `setpriority` would renice the whole process, so it is left alone.
 */
const DEFAULT_NICENESS = 10;
function lowerPriority(niceness: number): void {
  if (process.platform !== 'linux' || niceness <= 0) return;
  try {
    setPriority(niceness);
  } catch {
    // Not permitted (a sandbox, a seccomp profile): run at normal priority.
  }
}

/** Moves the inbox into the store; concurrent calls share one run (and ask for one more). */
function inboxMover(inbox: WebhookInbox, rt: Runtime, moved: () => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          if ((await inbox.moveInto(rt.store)) > 0) moved();
        } catch (error) {
          rt.logger.error('moving acknowledged webhooks into the database failed', {
            error: (error as Error).message,
          });
        }
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
}

void main();
