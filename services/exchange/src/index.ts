export { EmbeddedExchange, type EmbeddedExchangeOptions } from './embedded-exchange.js';
export { defaultEmbeddedScenario, type EmbeddedScenario } from './embedded-scenario.js';
export { riskLiquidationPorts } from './risk-liquidation-ports.js';
export { ScheduledShockFeed, type ScheduledShock } from '@perpcore/oracle';
export { StageCounters } from './stage-counters.js';
export { CoreInputGate, JournalDivergenceError } from './durability/core-input-gate.js';
export { decodeCoreInput, encodeCoreInput } from './durability/core-input-record.js';
export { replayJournal, type ReplayResult } from './durability/journal-replay.js';
export { recoverExchange, type Recovery, type SnapshotSource } from './durability/recover-exchange.js';
