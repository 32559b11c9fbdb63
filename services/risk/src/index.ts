export { RiskEngine, type RiskEngineDeps } from './risk-engine.js';
export type { RiskEngineConfig, RiskMarketConfig, CollateralAssetConfig, InsuranceFundConfig, BookTop, BookTopProvider } from './risk-config.js';
export type { RiskEnginePorts } from './risk-events.js';
export { type OrderIntent, createOrderIntent } from './order-intent.js';
export { RiskReject } from './risk-reject-codes.js';
export { RiskRejection } from './risk-reject-codes.js';
export { type IndexRejectReasonName, indexRejectReasonName } from './index-price-gate.js';
export type { AccountReport, ScopeReport, PositionReport, PriceSourceReport, CollateralReport } from './account-query.js';
export type { ConservationReport } from './conservation-audit.js';
export type { RiskLedger, ScopeRef, HeldLiquidation, LedgerScopeState, LedgerPosition, CloseResult, TakeoverResult, DeleverageResult, DeleverageLegResult, LedgerCallContext } from './risk-ledger.js';
export { createRiskService, type RiskService, type RiskServiceDeps } from './create-risk-service.js';
export type { AdlQueueEntry, AdlIndicatorEntry } from './adl-queue.js';
export { RiskEventFold, RiskFoldGapError, type RiskEventFoldConfig, riskEventFoldConfig } from './risk-event-fold.js';
export { riskSnapshot, snapshotDifferences, type RiskSnapshot, type AccountSnapshot, type PositionSnapshot } from './account-snapshot.js';
export { HaltInputKind, type HaltInput, type StageHaltRecord, StageHalt } from './stage-halt.js';
export { type AssetBalanceLimitConfig, SETTLE_NET_DEPOSITS_CEILING_UNITS } from './balance-limits.js';

// spot margin (issue 13.1): its own stage beside the perps engine, see spot-margin/spot-margin-engine.ts
export { SpotMarginEngine } from './spot-margin/spot-margin-engine.js';
export type { SpotMarginConfig } from './spot-margin/spot-margin-context.js';
export { type SpotMarginEvent, SpotEventKind } from './spot-margin/spot-margin-events.js';
export { type SpotPairSpec, createSpotPairSpec } from './spot-margin/spot-pair.js';
export type { SpotAccountReport } from './spot-margin/spot-account-report.js';
export type { SpotResult } from './spot-margin/spot-margin-commands.js';
export type { SpotConservationReport } from './spot-margin/spot-conservation-audit.js';
