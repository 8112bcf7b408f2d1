export * from './parse.js';
export * from './schemas.js';
