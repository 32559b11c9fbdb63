export * from './service-process.js';
export * from './wall-clock.js';
