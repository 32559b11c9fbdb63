export { EmbeddedExchange, type EmbeddedExchangeOptions } from './embedded-exchange.js';
export { defaultEmbeddedScenario, type EmbeddedScenario } from './embedded-scenario.js';
export { riskLiquidationPorts } from './risk-liquidation-ports.js';
export { ScheduledShockFeed, type ScheduledShock } from '@perpcore/oracle';
export { StageCounters } from './stage-counters.js';
export { captureExchangeState, restoreExchangeState, type RestoreExchangeOptions } from './durability/exchange-state.js';
export { embeddedVenueFingerprint } from './durability/venue-fingerprint.js';
export { defaultSnapshotPolicy, ExchangeSnapshots, type LoadableSnapshot, type SnapshotPolicy, type SnapshotWritten } from './durability/exchange-snapshots.js';
