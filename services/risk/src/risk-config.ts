/**
 * The risk engine's configuration and its ports, validated once at construction
 * (`createRiskSetup`): a bad key fails with a message naming it.
 *
 * - Markets: the domain `MarketSpec`, the validated `MarketRiskParams` of
 *   `@perpcore/margin`, maker/taker fee rates (E8, charged rounding up; a negative
 *   maker rate is a rebate) and the leverage a new position starts with.
 *   All markets settle in one asset (`settleAsset`): one wallet balance per account.
 * - Collateral: assets other than the settle asset, each with its haircut schedule
 *   and the market whose oracle index prices it (that market's base asset).
 * - System accounts: the fee account and one account per insurance fund id named
 *   by the markets' `insuranceFundId`. They are real accounts with balances, so the
 *   conservation sums stay plain (RISK-SPEC §9). They take no deposits: an
 *   insurance fund's starting capital is its `seedUnits`, counted as a deposit of
 *   the settle asset when the stage starts (so the audit's net deposits include it).
 * - Balance bounds per asset (`balanceLimits`, balance-limits.ts): a deposit may not
 *   take an account or the stage above them; defaults keep every sum exact.
 */
import { type AssetSpec, DomainError, type MarketSpec, type Side } from '@perpcore/domain';
import type { CollateralPrice, HaircutSchedule, MarketRiskParams } from '@perpcore/margin';
import { type AssetBalanceLimitConfig, type BalanceLimits, createBalanceLimits } from './accounts/balance-limits.js';
import { type LoanConfig, type LoanSetup, createLoanSetup } from './loans/loan-config.js';
import type { LendingPoolConfig } from './defi-liquidation/pool-config.js';

export interface RiskMarketConfig {
  readonly spec: MarketSpec;
  readonly risk: MarketRiskParams;
  readonly makerFeeRateE8: number;
  readonly takerFeeRateE8: number;
  /** Leverage of a new position row; default min(20, tier-1 max). */
  readonly defaultLeverage?: number;
}

export interface CollateralAssetConfig {
  readonly asset: AssetSpec;
  readonly haircut: HaircutSchedule;
  /** The market whose index prices the asset (its base asset must be this asset). */
  readonly indexMarket: string;
}

export interface InsuranceFundConfig {
  readonly fundId: string;
  readonly accountId: number;
  /** The fund's starting capital in settle units (default 0): the only way money enters a fund from outside. */
  readonly seedUnits?: number;
}

export interface RiskEngineConfig {
  /** This shard's name on its event streams, e.g. "risk-0". */
  readonly source: string;
  readonly settleAsset: AssetSpec;
  readonly markets: readonly RiskMarketConfig[];
  readonly collateral?: readonly CollateralAssetConfig[];
  readonly feeAccountId: number;
  readonly insuranceFunds: readonly InsuranceFundConfig[];
  /** Levels visited per side for impact prices (default 1,000). */
  readonly impactDepthLevels?: number;
  /** Per asset code: deposit bounds below the defaults of balance-limits.ts. */
  readonly balanceLimits?: Readonly<Record<string, AssetBalanceLimitConfig>>;
  /** Crypto-backed loans (loans/loan-config.ts); none when absent. */
  readonly loans?: LoanConfig;
  /** The DeFi-style lending pool (defi-liquidation/pool-config.ts); none when absent. */
  readonly lendingPool?: LendingPoolConfig;
}

/**
 * What the mark price and the premium index need from a book (RISK-SPEC §5.2–§5.3).
 * Both modes pass a view kept from matching's book samples (services/exchange
 * book-sample-view.ts) for the prices; the matching engine's `OrderBook` has these
 * members too (embedded mode's stress query closes against it, tests pass books).
 */
export interface BookTop {
  bestBidTicks(): number;
  bestAskTicks(): number;
  forEachLevel(side: Side, maxLevels: number, visit: (priceTicks: number, qtyLots: number) => void): void;
}

export type BookTopProvider = (symbol: string) => BookTop | undefined;

/** One collateral asset after validation: asset index ≥ 1, pricing market and unit conversion. */
export interface CollateralSetup {
  readonly assetIndex: number;
  readonly asset: AssetSpec;
  readonly haircut: HaircutSchedule;
  readonly indexMarket: number;
  /** settle units per asset unit per index subtick = numerator / perAssetUnits. */
  readonly settleUnitsPerSubtick: number;
  readonly perAssetUnits: number;
  /** Current price (null until the first index). */
  price: CollateralPrice | null;
  indexSubticks: number;
}

export interface RiskSetup {
  readonly source: string;
  readonly settleAsset: AssetSpec;
  readonly markets: readonly RiskMarketConfig[];
  readonly marketIndex: ReadonlyMap<string, number>;
  /** Asset codes by index (0 = settle). */
  readonly assetCodes: readonly string[];
  readonly assetIndex: ReadonlyMap<string, number>;
  readonly collateral: readonly CollateralSetup[];
  readonly feeAccountId: number;
  readonly fundAccountIds: ReadonlyMap<string, number>;
  /** fund id → starting capital (settle units). */
  readonly fundSeedUnits: ReadonlyMap<string, number>;
  readonly impactDepthLevels: number;
  readonly limits: BalanceLimits;
  readonly loans: LoanSetup | null;
  readonly lendingPool: LendingPoolConfig | undefined;
}

function bad(key: string, why: string): never {
  throw new DomainError('RISK_INVALID_CONFIG', `${key} ${why}`);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function createRiskSetup(config: RiskEngineConfig): RiskSetup {
  if (!/^[a-z0-9-]{1,64}$/.test(config.source)) bad('source', `must be 1..64 of [a-z0-9-], got ${JSON.stringify(config.source)}`);
  if (config.markets.length === 0) bad('markets', 'must not be empty');
  if (config.markets.length > 30) bad('markets', 'at most 30 markets per risk shard (scope-level cache key is a bit mask)');
  const marketIndex = new Map<string, number>();
  config.markets.forEach((m, i) => {
    const key = `markets[${i}]`;
    if (marketIndex.has(m.spec.symbol)) bad(key, `repeats ${m.spec.symbol}`);
    if (m.spec.settleAsset !== config.settleAsset.asset) bad(`${key}.spec.settleAsset`, `must be ${config.settleAsset.asset}, got ${m.spec.settleAsset}`);
    if (m.spec.settleDecimals !== config.settleAsset.decimals) bad(`${key}.spec.settleDecimals`, `must be ${config.settleAsset.decimals}`);
    if (m.risk.symbol !== m.spec.symbol || m.risk.lotTickUnits !== m.spec.lotTickUnits) bad(`${key}.risk`, `was not built for ${m.spec.symbol}`);
    // fills, order IM, breach screens and the liquidation ladder are linear; an inverse market is library-only (inverse-contract.ts)
    if (m.risk.model.contract !== 'LINEAR') bad(`${key}.risk.model.contract`, `${m.risk.model.contract} contracts are not supported by the risk engine yet (only LINEAR)`);
    for (const k of ['makerFeeRateE8', 'takerFeeRateE8'] as const) {
      if (!Number.isSafeInteger(m[k]) || Math.abs(m[k]) >= 100_000_000) bad(`${key}.${k}`, `must be an integer in (−1e8, 1e8), got ${String(m[k])}`);
    }
    if (m.makerFeeRateE8 + m.takerFeeRateE8 < 0) bad(key, 'maker rebate must not exceed the taker fee (the fee account would pay out per trade)');
    const lev = m.defaultLeverage ?? Math.min(20, m.risk.tiers.maxLeverage[0]);
    if (!Number.isSafeInteger(lev) || lev < 1 || lev > m.risk.tiers.maxLeverage[0]) bad(`${key}.defaultLeverage`, `must be in 1..${m.risk.tiers.maxLeverage[0]}, got ${lev}`);
    marketIndex.set(m.spec.symbol, i);
  });
  const assetCodes = [config.settleAsset.asset];
  const assetIndex = new Map<string, number>([[config.settleAsset.asset, 0]]);
  const collateral: CollateralSetup[] = [];
  (config.collateral ?? []).forEach((c, i) => {
    const key = `collateral[${i}]`;
    if (assetIndex.has(c.asset.asset)) bad(`${key}.asset`, `repeats ${c.asset.asset}`);
    if (c.haircut.asset !== c.asset.asset) bad(`${key}.haircut`, `was built for ${c.haircut.asset}`);
    const mi = marketIndex.get(c.indexMarket);
    if (mi === undefined) bad(`${key}.indexMarket`, `${c.indexMarket} is not a configured market`);
    const market = config.markets[mi];
    if (market.spec.baseAsset !== c.asset.asset) bad(`${key}.indexMarket`, `${c.indexMarket} prices ${market.spec.baseAsset}, not ${c.asset.asset}`);
    // settle units per asset unit per subtick = tick × 10^settleDec / (spt × 10^assetDec)
    let num = market.spec.tick.mantissa * 10n ** BigInt(config.settleAsset.decimals);
    let den = 10n ** BigInt(market.spec.tick.scale) * BigInt(market.risk.markSubticksPerTick) * 10n ** BigInt(c.asset.decimals);
    const g = gcd(num, den);
    num /= g;
    den /= g;
    if (num > BigInt(Number.MAX_SAFE_INTEGER) || den > BigInt(Number.MAX_SAFE_INTEGER)) bad(key, 'price scale leaves the safe-integer range');
    const index = assetCodes.length;
    assetCodes.push(c.asset.asset);
    assetIndex.set(c.asset.asset, index);
    collateral.push({ assetIndex: index, asset: c.asset, haircut: c.haircut, indexMarket: mi, settleUnitsPerSubtick: Number(num), perAssetUnits: Number(den), price: null, indexSubticks: 0 });
  });
  if (assetCodes.length > 31) bad('collateral', 'at most 30 collateral assets');
  const limits = createBalanceLimits(assetCodes, config.markets, collateral, config.balanceLimits);
  const fundAccountIds = new Map<string, number>();
  const fundSeedUnits = new Map<string, number>();
  let seededUnits = 0n;
  const systemIds = new Set<number>([config.feeAccountId]);
  for (const f of config.insuranceFunds) {
    if (fundAccountIds.has(f.fundId)) bad('insuranceFunds', `repeats ${f.fundId}`);
    if (systemIds.has(f.accountId)) bad('insuranceFunds', `account ${f.accountId} is used twice`);
    systemIds.add(f.accountId);
    fundAccountIds.set(f.fundId, f.accountId);
    const seed = f.seedUnits ?? 0;
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > limits.maxBalanceUnits[0]) bad(`insuranceFunds.${f.fundId}.seedUnits`, `must be an integer in 0..${limits.maxBalanceUnits[0]}, got ${String(seed)}`);
    seededUnits += BigInt(seed);
    if (seededUnits > limits.maxNetDepositsUnits[0]) bad('insuranceFunds', `seeds total ${seededUnits} units, above the settle asset's net-deposit cap ${limits.maxNetDepositsUnits[0]}`);
    fundSeedUnits.set(f.fundId, seed);
  }
  for (const m of config.markets) {
    if (!fundAccountIds.has(m.risk.insuranceFundId)) bad(`${m.spec.symbol}.insuranceFundId`, `${m.risk.insuranceFundId} has no insurance fund account`);
  }
  for (const id of systemIds) {
    if (!Number.isInteger(id) || id < 1 || id > 0xffff_ffff) bad('system account id', `must be in 1..2^32−1, got ${id}`);
  }
  const impactDepthLevels = config.impactDepthLevels ?? 1_000;
  if (!Number.isSafeInteger(impactDepthLevels) || impactDepthLevels < 1) bad('impactDepthLevels', `must be a positive integer, got ${impactDepthLevels}`);
  return {
    source: config.source,
    settleAsset: config.settleAsset,
    markets: config.markets,
    marketIndex,
    assetCodes,
    assetIndex,
    collateral,
    feeAccountId: config.feeAccountId,
    fundAccountIds,
    fundSeedUnits,
    impactDepthLevels,
    limits,
    loans: createLoanSetup(config.loans, { assetIndex, collateralAssets: collateral.map((c) => c.assetIndex), fundIds: new Set(fundAccountIds.keys()) }),
    lendingPool: config.lendingPool,
  };
}
