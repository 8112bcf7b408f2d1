export * from './apply.js';
export * from './occupancy.js';
export * from './plan.js';
export * from './types.js';
