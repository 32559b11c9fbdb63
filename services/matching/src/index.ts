export * from './matching-engine.js';
export * from './market-stream.js';
export * from './client-order-ids.js';
export * from './create-matching-service.js';
export * from './account-shares.js';
export { BookDeltaConflator } from './book-delta-conflation.js';
export * from './matching-process-options.js';
export * from './book-sample-schedule.js';
export * from './matching-shard.js';
