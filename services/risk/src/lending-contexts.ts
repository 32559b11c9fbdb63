/**
 * The risk stage's lending configuration, the same in embedded mode (services/exchange
 * pipeline.ts), on a cluster risk shard (services/exchange cluster-risk-shard.ts) and on
 * the bare shard process (main.ts): the venue's loan terms and
 * the DeFi lending pool, each with the collateral assets it needs; with both on,
 * one collateral list (an asset both name is listed once, on the loan terms'
 * haircut: both value BTC at 90 %). Each collateral is priced by a listed market's
 * index, so a context whose market is not listed brings no collateral.
 */
import type { AssetSpec, MarketSpec } from '@perpcore/domain';
import { defaultLendingPool, defaultSystemAccounts } from '@perpcore/markets';
import { venueLoanTerms } from './loans/venue-loan-terms.js';

export interface LendingContextOptions {
  /** Crypto-backed loans on the venue's terms (services/risk venue-loan-terms.ts). */
  readonly loans: boolean;
  /** The DeFi lending pool with BTC collateral (@perpcore/markets default-lending-pool.ts; only with BTCUSDT listed). */
  readonly lendingPool: boolean;
}

/** The collateral assets (with decimals) the contexts add to the perps ledger: what a cluster gateway lists as the shard does. */
export function lendingCollateralAssets(options: LendingContextOptions, markets: readonly MarketSpec[]): AssetSpec[] {
  return (lendingContexts(options, markets).collateral ?? []).map((c) => c.asset);
}

export function lendingContexts(options: LendingContextOptions, markets: readonly MarketSpec[]) {
  const loans = options.loans ? venueLoanTerms(markets.map((m) => m.symbol), defaultSystemAccounts.insuranceFunds[0].fundId) : undefined;
  const pool = options.lendingPool ? defaultLendingPool(markets) : undefined;
  const collateral = [...(loans?.collateral ?? []), ...(pool?.collateral ?? [])].filter((c, i, all) => all.findIndex((x) => x.asset.asset === c.asset.asset) === i);
  return {
    ...(collateral.length > 0 ? { collateral } : {}),
    ...(loans === undefined ? {} : { loans: loans.loans }),
    ...(pool === undefined ? {} : { lendingPool: pool.lendingPool }),
  };
}
