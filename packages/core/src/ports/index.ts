export * from './clock.js';
export * from './job-priority.js';
export * from './lock.js';
export * from './logger.js';
export * from './pms.js';
export * from './store.js';
