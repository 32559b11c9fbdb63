export * from './default-markets.js';
export * from './default-venue.js';
export * from './simulated-market.js';
export * from './default-lending-pool.js';
