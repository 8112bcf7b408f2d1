import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Runtime } from '../runtime.js';
import type { WorkerMessage, WorkerRequest } from './worker-messages.js';

/** The part of `brafa serve` that dispatches due jobs; woken by accepted webhooks. */
export interface WorkerLoop {
  wake(): void;
  /** Let the current round finish, then stop. */
  close(): Promise<void>;
}

/** The loop on the caller's event loop (acks and lock work share it). */
export function startInlineWorker(
  rt: Runtime,
  pollMs: number,
  options: { beforeRound?: () => Promise<void> } = {},
): WorkerLoop {
  let stopped = false;
  let wake: (() => void) | undefined;
  const done = (async () => {
    while (!stopped) {
      try {
        await options.beforeRound?.();
        await rt.engine.dispatch();
      } catch (error) {
        rt.logger.error('worker round failed', { error: (error as Error).message });
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();
  return {
    wake: () => wake?.(),
    async close() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}

/**
 * The loop in a worker thread with its own runtime, opened from the same config: webhook acks
 * on this thread never wait behind sync batches and lock calls (which need a CPU of their own
 * under load). Engine events come back to `rt.onEvent`. Resolves once the thread's runtime is
 * open; rejects with its reason if it cannot open. A thread that dies later (it should not:
 * every round's errors are caught inside) is logged and started again after a second, so the
 * service never goes on acknowledging webhooks that nothing processes.
 */
export async function startThreadWorker(
  rt: Runtime,
  pollMs: number,
  options: { inbox?: boolean } = {},
): Promise<WorkerLoop> {
  let closing = false;
  const spawn = async (): Promise<{ worker: Worker; exited: Promise<void> }> => {
    const worker = new Worker(workerScript(), {
      workerData: { config: rt.config, pollMs, inbox: options.inbox ?? false },
      ...sourceConditionRemoved(process.execArgv),
      // The thread's logs go where this process's go (BRAFA_LOG → stderr), already redacted.
      stderr: false,
      stdout: false,
    });
    let ready = false;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          ready = true;
          resolve();
        } else if (message.type === 'events') for (const event of message.events) rt.onEvent?.(event);
        else if (message.type === 'failed') reject(new Error(`worker thread: ${message.message}`));
      });
      worker.on('error', (error) => {
        rt.logger.error('worker thread failed', { error: error.message });
        reject(error);
      });
      void exited.then(() => {
        if (!ready) reject(new Error('worker thread exited before it was ready'));
        else if (!closing) {
          rt.logger.error('worker thread stopped unexpectedly; starting it again', {});
          setTimeout(() => {
            if (!closing) void spawn().then((next) => (current = next), restartFailed);
          }, 1000).unref();
        }
      });
    });
    return { worker, exited };
  };
  const restartFailed = (error: Error) =>
    rt.logger.error('worker thread could not be started again', { error: error.message });
  let current = await spawn();
  const send = (request: WorkerRequest) => current.worker.postMessage(request);
  return {
    wake: () => send({ type: 'wake' }),
    async close() {
      closing = true;
      send({ type: 'stop' });
      await current.exited;
    },
  };
}

/**
 * The thread runs built files; the repository's `@brafa/source` export condition (which our
 * test runner passes to Node to load TypeScript sources) would point its imports at `.ts`.
 * Only then is `execArgv` given explicitly: otherwise the thread inherits the process's flags
 * the way Node filters them (an explicit list with a per-process flag such as `--expose-gc`
 * is refused with ERR_WORKER_INVALID_EXEC_ARGV).
 */
function sourceConditionRemoved(argv: string[]): { execArgv?: string[] } {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^(--conditions|-C)=@brafa\/source$/.test(arg)) continue;
    if ((arg === '--conditions' || arg === '-C') && argv[i + 1] === '@brafa/source') {
      i++;
      continue;
    }
    out.push(arg);
  }
  return out.length === argv.length ? {} : { execArgv: out };
}

/**
 * The built `worker-thread.js` sits next to the bundle that imports this module (dist/); run
 * from sources (tests), that is the package's dist/ (build first).
 */
function workerScript(): URL {
  for (const candidate of ['./worker-thread.js', '../../dist/worker-thread.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error('worker-thread.js not found next to @brafa/cli (build the package first)');
}
