export * from './audit.js';
export * from './backoff.js';
export { type EngineContext, JOB_KINDS } from './context.js';
export type { DispatchOptions, DispatchResult } from './dispatch.js';
export * from './engine.js';
export * from './events.js';
export {
  DEFAULT_DONE_JOB_RETENTION_MS,
  DEFAULT_ENDED_BOOKING_RETENTION_MS,
  DEFAULT_LOG_RETENTION_MS,
  type Housekeeping,
  type Retention,
} from './housekeeping.js';
export { readAhead } from './read-ahead.js';
export { defaultSyncWindow, type SyncResult } from './sync.js';
export { desiredWriteBack, writeBackKey } from './write-back.js';
