export * from './liquidation-ports.js';
export * from './liquidation-engine.js';
export * from './liquidation-pricing.js';
export * from './bus-order-placer.js';
export * from './create-liquidation-service.js';
