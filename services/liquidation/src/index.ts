export * from './liquidation-ports.js';
export * from './liquidation-engine.js';
export * from './liquidation-pricing.js';
