/**
 * The port through which the market-data read model receives the core's events: one
 * callback per envelope kind. The composition feeds it from the bus (`feedFromBus`)
 * or, after the merge, from `ExchangeClient.subscribe(...)`, which delivers exactly
 * these four kinds.
 */
import type { LiquidationEventV1, MatchingEventV1, OracleEventV1, RiskEventV1 } from '@perpcore/proto';

export interface MarketEventFeed {
  onMatchingEvent(e: MatchingEventV1): void;
  onRiskEvent(e: RiskEventV1): void;
  onOracleEvent(e: OracleEventV1): void;
  onLiquidationEvent(e: LiquidationEventV1): void;
}
