export { EmbeddedExchange, type EmbeddedExchangeOptions } from './embedded-exchange.js';
export { defaultEmbeddedScenario, type EmbeddedScenario } from './embedded-scenario.js';
export { riskLiquidationPorts } from './risk-liquidation-ports.js';
export { ScheduledShockFeed, type ScheduledShock } from '@perpcore/oracle';
export { StageCounters } from './stage-counters.js';
export { createPipeline, type Pipeline, type PipelineOptions } from './pipeline.js';
