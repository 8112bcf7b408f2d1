/**
 * The worker loop of `brafa serve`, in a thread of its own (`startService(rt, { worker:
 * 'thread' })`): it opens its own runtime (store connection, PMS and TTLock clients) from the
 * config and dispatches jobs, so the main thread's event loop serves webhook acks without
 * waiting behind lock work. Messages: in `wake` / `stop`; out `ready`, `event`, `failed`.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { BrafaConfig } from '../config/schema.js';
import { openRuntime } from '../runtime.js';
import { startInlineWorker, type WorkerLoop } from './worker-loop.js';
import type { WorkerMessage, WorkerRequest } from './worker-messages.js';

interface WorkerData {
  config: BrafaConfig;
  pollMs: number;
  workerId?: string;
}

if (!parentPort) throw new Error('worker-thread.js runs as a worker thread of `brafa serve`');
const port: MessagePort = parentPort;
const data = workerData as WorkerData;
const post = (message: WorkerMessage) => port.postMessage(message);

let stop: () => void = () => {};
const stopRequested = new Promise<void>((resolve) => {
  stop = resolve;
});
let loop: WorkerLoop | undefined;
port.on('message', (message: WorkerRequest) => {
  if (message.type === 'stop') stop();
  else loop?.wake();
});

async function main(): Promise<void> {
  try {
    const rt = await openRuntime(data.config, {
      onEvent: (event) => post({ type: 'event', event }),
      ...(data.workerId ? { workerId: data.workerId } : {}),
    });
    try {
      loop = startInlineWorker(rt, data.pollMs);
      post({ type: 'ready' });
      await stopRequested;
      await loop.close();
    } finally {
      await rt.close();
    }
  } catch (error) {
    // The runtime redacts its own errors; a failure to open it names the config key or the store.
    post({ type: 'failed', message: (error as Error).message });
  }
  port.close();
}

void main();
