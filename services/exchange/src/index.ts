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
  LoanCommandResult,
  OrderCommandResult,
  PoolLiquidationCandidate,
  PlaceOrderRequest,
  BackstopLiquidatorTerms,
  SpotCommandAnswer,
  SpotDepth,
} from './client/exchange-client.js';
export type { StressAnswer } from './client/stress-answer.js';
// the spot-margin stage's answers, as the typed client's spot calls give them
export type { SpotMaxBorrow } from '@perpcore/margin';
export type { SpotAccountReport, SpotAssetReport, SpotOpenOrder, SpotOrderInput, SpotPairSpec, SpotPlacement, SpotPlaceResult, SpotResult } from '@perpcore/risk';
export type { StressRequest, StressReport } from '@perpcore/risk';
export { createPipeline, type Pipeline, type PipelineOptions } from './pipeline.js';
export { parseExchangeOptions, type ExchangeOptions } from './cli-options.js';
export { ProgressLine } from './progress-line.js';
export { type MarketSlice, type SteppedMarket, TimeSlicedMarket, type TimeSliceOptions } from './time-sliced-market.js';
export { formatSummary, type RunFigures } from './run-summary.js';
export { CoreTimeoutError, KAFKA_CLIENT_REPLAYED_TOPICS, KafkaExchangeClient, type KafkaClientOptions } from './client/kafka-exchange-client.js';
export { answerQuery, answerStressQuery, serveAccountQueries, type AccountQuerySource } from './account-query-responder.js';
export { CoreInputGate, JournalDivergenceError } from './durability/core-input-gate.js';
export { decodeCoreInput, encodeCoreInput } from './durability/core-input-record.js';
export { replayJournal, type ReplayResult } from './durability/journal-replay.js';
export { recoverExchange, type Recovery, type SnapshotSource } from './durability/recover-exchange.js';
export { CoreStartError, closeEmbeddedCore, type EmbeddedCore, type EmbeddedCoreOptions, InputStoppedError, settleEmbeddedCore, snapshotIfDue, startEmbeddedCore } from './durability/embedded-core-start.js';
export { journalAcknowledgementHooks } from './durability/journal-acknowledgement.js';
export { captureExchangeState, restoreExchangeState, type RestoreExchangeOptions } from './durability/exchange-state.js';
export { embeddedVenueFingerprint } from './durability/venue-fingerprint.js';
export type { SnapshotSection } from './durability/snapshot-sections.js';
export { defaultSnapshotPolicy, ExchangeSnapshots, type LoadableSnapshot, type SnapshotPolicy, type SnapshotWritten } from './durability/exchange-snapshots.js';
export { lendingCollateralAssets, lendingContexts, type LendingContextOptions } from '@perpcore/risk';
