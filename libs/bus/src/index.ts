export * from './bus.js';
export * from './topic.js';
export * from './topics.js';
export * from './partition-for-key.js';
export * from './in-process-bus.js';
