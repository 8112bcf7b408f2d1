import type { EngineEvent } from '@brafa/core';

/** From the service to its worker thread. */
export type WorkerRequest = { type: 'wake' } | { type: 'stop' };

/** From the worker thread to the service. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'event'; event: EngineEvent }
  | { type: 'failed'; message: string };
