export * from './price-feed.js';
export * from './index-basket.js';
export * from './simulated-index-feed.js';
export * from './index-price-publisher.js';
export * from './create-oracle-service.js';
export * from './scheduled-shock-feed.js';
