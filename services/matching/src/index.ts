export * from './matching-engine.js';
export * from './market-stream.js';
export * from './client-order-ids.js';
