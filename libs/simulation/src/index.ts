export * from './seeded-random.js';
export * from './order-flow.js';
export * from './leveraged-crowd.js';
export * from './spot-margin-borrowers.js';
export * from './loan-borrowers.js';
export * from './pool-borrowers.js';
export * from './pool-liquidator-bot.js';
