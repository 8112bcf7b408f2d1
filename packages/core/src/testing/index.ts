export * from './engine-suite.js';
export * from './fixtures.js';
export * from './lock-conformance.js';
export * from './memory-lock.js';
export * from './memory-pms.js';
export * from './memory-store.js';
export * from './pms-conformance.js';
export * from './store-conformance.js';
