import type { EngineEvent } from '@brafa/core';

/** From the service to its worker thread. */
export type WorkerRequest = { type: 'wake' } | { type: 'stop' };

/** From the worker thread to the service. */
export type WorkerMessage =
  | { type: 'ready' }
  /** Engine events of one turn of the thread's event loop, in order (one message, not one each). */
  | { type: 'events'; events: EngineEvent[] }
  | { type: 'failed'; message: string };
