export * from './access-window.js';
