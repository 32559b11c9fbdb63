/**
 * An `ExchangeClient` over a bare pipeline (`createPipeline`): the same client
 * `EmbeddedExchange.client()` hands out, for tests and tools that run the stages
 * without the simulated market. Reads come straight from the stages' state
 * (books, account reports, ADL buckets, insurance funds): embedded mode only.
 */
import { defaultSettleAsset, defaultSystemAccounts, type VenueMarket } from '@perpcore/markets';
import type { Bus } from '@perpcore/bus';
import type { LiquidationService } from '@perpcore/liquidation';
import type { MatchingService } from '@perpcore/matching';
import type { RiskService } from '@perpcore/risk';
import { EmbeddedExchangeClient, type EmbeddedClientDeps } from './embedded-exchange-client.js';

export interface ClientStages {
  readonly bus: Bus;
  readonly venue: readonly VenueMarket[];
  readonly matching: MatchingService;
  readonly risk: RiskService;
  readonly liquidation: LiquidationService;
}

/** The client's reads over running stages; `nowNs` stamps the commands. */
export function stageClientDeps(stages: ClientStages, nowNs: () => number, source: string): EmbeddedClientDeps {
  const { risk, venue } = stages;
  return {
    bus: stages.bus,
    venue,
    book: (market) => stages.matching.engine.book(market),
    accountReport: (accountId) => risk.engine.accountReport(accountId),
    ledgerAssets: () => [defaultSettleAsset, ...risk.engine.state.setup.collateral.map((c) => c.asset)],
    stress: (request) => risk.engine.stress(request),
    liquidationCandidates: () => risk.engine.liquidationCandidates(),
    adlBucket: (market, accountId) => stages.liquidation.engine.adlBucket(market, accountId) ?? undefined,
    halted: () => risk.engine.halt.describe(),
    nowNs,
    insuranceFunds: () =>
      defaultSystemAccounts.insuranceFunds.map((f) => ({
        fundId: f.fundId,
        accountId: f.accountId,
        asset: defaultSettleAsset.asset,
        balanceUnits: risk.engine.ledger.fundBalanceUnits(f.fundId),
        markets: venue.filter((m) => m.risk.insuranceFundId === f.fundId).map((m) => m.spec.symbol),
      })),
    source,
  };
}

export function pipelineClient(stages: ClientStages, options: { source?: string; nowNs?: () => number } = {}): Promise<EmbeddedExchangeClient> {
  return EmbeddedExchangeClient.create(stageClientDeps(stages, options.nowNs ?? (() => Date.now() * 1_000_000), options.source ?? 'gateway-0'));
}
