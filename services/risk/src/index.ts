export { RiskEngine, type RiskEngineDeps } from './risk-engine.js';
export type { RiskEngineConfig, RiskMarketConfig, CollateralAssetConfig, InsuranceFundConfig, BookTop, BookTopProvider } from './risk-config.js';
export type { RiskEnginePorts } from './risk-events.js';
export { type OrderIntent, createOrderIntent } from './order-intent.js';
export { RiskReject } from './risk-reject-codes.js';
export { RiskRejection } from './risk-reject-codes.js';
export type { AccountReport, ScopeReport, PositionReport, PriceSourceReport, CollateralReport } from './account-query.js';
export type { ConservationReport } from './conservation-audit.js';
export type { RiskLedger, ScopeRef, LedgerScopeState, LedgerPosition, TakeoverResult, LedgerCallContext } from './risk-ledger.js';
