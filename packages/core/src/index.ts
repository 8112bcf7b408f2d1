export * from './domain/index.js';
export * from './engine/index.js';
export * from './errors/index.js';
export * from './logging/index.js';
export * from './passcode/index.js';
export * from './planner/index.js';
export * from './ports/index.js';
export * from './time/index.js';
