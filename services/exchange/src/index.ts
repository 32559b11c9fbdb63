export { EmbeddedExchange, type EmbeddedExchangeOptions } from './embedded-exchange.js';
export { defaultEmbeddedScenario, type EmbeddedScenario } from './embedded-scenario.js';
export { riskLiquidationPorts } from './risk-liquidation-ports.js';
export { ScheduledShockFeed, type ScheduledShock } from '@perpcore/oracle';
export { StageCounters } from './stage-counters.js';
export { EmbeddedExchangeClient, type EmbeddedClientDeps } from './client/embedded-exchange-client.js';
export { pipelineClient, stageClientDeps, type ClientStages } from './client/pipeline-client.js';
export type {
  AccountCommandResult,
  AccountView,
  BookSnapshot,
  CancelAllResult,
  ClientSubscription,
  InsuranceFundBalance,
  MarketCommandResult,
  CommandRejection,
  CoreEventHandlers,
  ExchangeClient,
  OrderCommandResult,
  PlaceOrderRequest,
} from './client/exchange-client.js';
export { createPipeline, type Pipeline, type PipelineOptions } from './pipeline.js';
export { parseExchangeOptions, type ExchangeOptions } from './cli-options.js';
export { ProgressLine } from './progress-line.js';
export { formatSummary, type RunFigures } from './run-summary.js';
export { CoreTimeoutError, KafkaExchangeClient, type KafkaClientOptions } from './client/kafka-exchange-client.js';
export { answerQuery, serveAccountQueries, type AccountQuerySource } from './account-query-responder.js';
