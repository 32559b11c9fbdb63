/**
 * Market risk parameters (RISK-SPEC §1): the risk part of a market spec, validated
 * once on load and frozen. Every formula of this library takes it.
 *
 * Invariants (checked by `createMarketRiskParams`; each failure throws
 * `RISK_INVALID_MARKET_PARAMS` naming `<symbol>.<key>`; unknown keys are refused so
 * a typo never silently falls back to a default):
 * - the tier table passes §2 (see tier-table.ts);
 * - `marginCallLevelE8 > liquidationLevelE8 > 0`; `takeoverLevelE8`, when set, is
 *   `< liquidationLevelE8`;
 * - every period is a positive whole number of seconds, `markBasisWindowS` is a
 *   multiple of `markBasisSampleS`, `fundingIntervalS` a multiple of `premiumSampleS`;
 * - rates and ratios are integers in 1e-8 within their ranges (see each key);
 * - `markSubticksPerTick` in 1..1e6 and `lotTickUnits × markSubticksPerTick ≤ 2^50`
 *   so hot-path divisors stay in the exact kernel's range.
 *
 * Units: `…Units` settle-asset smallest units, `…E8` 1e-8, `…S` seconds, `…Ms` ms.
 * Defaults are the spec's (Binance-style); e.g. `impactMarginUnits` defaults to
 * 200 whole settle coins and `partial.thresholdUnits` to the first tier's cap.
 *
 * Example: a BTCUSDT spec (tick 0.1, lot 0.001, USDT 6 decimals → lotTickUnits 100)
 * with only `tiers` and `clearanceFeeRateE8` given gets an 8 h funding interval,
 * I = 0.01%, clamp 0.05%, cap 0.75 × tier-1 MMR, MEDIAN3 mark at 100 subticks per
 * tick, call at 1.25 and liquidation at 1.00 of MM.
 */
import { DomainError, type MarketSpec, type ScaledDecimal } from '@perpcore/domain';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8, type TierInput, type TierTable, createTierTable } from './tier-table.js';
import { MAX_WIDE_DIVISOR } from './wide-arithmetic.js';
import { type RiskModel, type RiskModelInput, createRiskModel } from './risk-model.js';

export const MarkMethod = { Median3: 'MEDIAN3', FairBasis: 'FAIR_BASIS', Index: 'INDEX' } as const;
export type MarkMethod = (typeof MarkMethod)[keyof typeof MarkMethod];

export const PremiumAveraging = { LinearWeighted: 'LINEAR_WEIGHTED', Mean: 'MEAN' } as const;
export type PremiumAveraging = (typeof PremiumAveraging)[keyof typeof PremiumAveraging];

export const FundingPriceSource = { Mark: 'MARK', Index: 'INDEX' } as const;
export type FundingPriceSource = (typeof FundingPriceSource)[keyof typeof FundingPriceSource];

export const FundingIndexRounding = { Exact: 'EXACT', TruncateIncrement: 'TRUNCATE_INCREMENT' } as const;
export type FundingIndexRounding = (typeof FundingIndexRounding)[keyof typeof FundingIndexRounding];

export const LevelBasis = { MM: 'MM', IM: 'IM' } as const;
export type LevelBasis = (typeof LevelBasis)[keyof typeof LevelBasis];

export const AdlRanking = { PnlTimesLeverage: 'PNL_X_LEVERAGE', LeveragePnl: 'LEVERAGE_PNL' } as const;
export type AdlRanking = (typeof AdlRanking)[keyof typeof AdlRanking];

/** Cap on the applied funding rate: a multiple of tier-1 MMR, or an absolute rate per interval. */
export type FundingCap =
  | { readonly kind: 'MMR_MULTIPLE'; readonly multipleE8: number }
  | { readonly kind: 'ABSOLUTE'; readonly rateE8: number }
  /** dYdX: a multiple of (base IMF − tier-1 MMR), per rate period; needs the IMF_RAMP model (imf-ramp.ts). */
  | { readonly kind: 'IMF_MMF_MULTIPLE'; readonly multipleE8: number };

/** IOC limit rule of a liquidation step (§8.5). */
export type LiquidationLimit =
  | { readonly kind: 'BANKRUPTCY' }
  | { readonly kind: 'FILLABLE'; readonly bankruptcyAdjustmentE8: number; readonly spreadToMmRatioE8: number };

export interface PartialLiquidationInput {
  readonly thresholdUnits?: number;
  readonly stepFractionE8?: number;
  readonly minStepUnits?: number;
  readonly cooldownMs?: number;
}

export interface PartialLiquidation {
  /** At or below this notional a position closes in one step. */
  readonly thresholdUnits: number;
  readonly stepFractionE8: number;
  readonly minStepUnits: number;
  readonly cooldownMs: number;
}

export interface MarketRiskParamsInput {
  readonly priceDecimals?: number;
  readonly tiers: readonly TierInput[];
  readonly fundingIntervalS?: number;
  readonly fundingRatePeriodS?: number;
  readonly interestRateE8?: number;
  readonly premiumClampE8?: number;
  readonly fundingCap?: FundingCap;
  readonly premiumSampleS?: number;
  readonly premiumAveraging?: PremiumAveraging;
  readonly impactMarginUnits?: number;
  readonly fundingPrice?: FundingPriceSource;
  readonly fundingIndexRounding?: FundingIndexRounding;
  readonly markMethod?: MarkMethod;
  readonly markBasisWindowS?: number;
  readonly markBasisSampleS?: number;
  readonly markSubticksPerTick?: number;
  readonly levelBasis?: LevelBasis;
  readonly marginCallLevelE8?: number;
  readonly liquidationLevelE8?: number;
  readonly takeoverLevelE8?: number | null;
  readonly clearanceFeeRateE8: number;
  readonly partial?: PartialLiquidationInput;
  readonly liquidationLimit?: LiquidationLimit;
  readonly adlRanking?: AdlRanking;
  readonly adlIndicatorRefreshMs?: number;
  readonly insuranceFundId?: string;
  readonly ifMaxNetNotionalE8?: number;
  /** Risk-model selection (risk-model.ts); absent = linear, fixed IM, tiered MM. */
  readonly model?: RiskModelInput;
}

export interface MarketRiskParams {
  readonly symbol: string;
  /** Settle units of one lot at one tick (from the MarketSpec). */
  readonly lotTickUnits: number;
  readonly settleDecimals: number;
  readonly tick: ScaledDecimal;
  /** Lot size (base per lot; contracts per lot for an inverse market). */
  readonly lot: ScaledDecimal;
  readonly priceDecimals: number;
  readonly tiers: TierTable;
  readonly fundingIntervalS: number;
  readonly fundingRatePeriodS: number;
  readonly interestRateE8: number;
  readonly premiumClampE8: number;
  readonly fundingCap: FundingCap;
  readonly premiumSampleS: number;
  readonly premiumAveraging: PremiumAveraging;
  readonly impactMarginUnits: number;
  readonly fundingPrice: FundingPriceSource;
  readonly fundingIndexRounding: FundingIndexRounding;
  readonly markMethod: MarkMethod;
  readonly markBasisWindowS: number;
  readonly markBasisSampleS: number;
  readonly markSubticksPerTick: number;
  readonly levelBasis: LevelBasis;
  readonly marginCallLevelE8: number;
  readonly liquidationLevelE8: number;
  readonly takeoverLevelE8: number | null;
  readonly clearanceFeeRateE8: number;
  readonly partial: PartialLiquidation;
  readonly liquidationLimit: LiquidationLimit;
  readonly adlRanking: AdlRanking;
  readonly adlIndicatorRefreshMs: number;
  readonly insuranceFundId: string;
  readonly ifMaxNetNotionalE8: number;
  readonly model: RiskModel;
}

const INPUT_KEYS = new Set([
  'priceDecimals', 'tiers', 'fundingIntervalS', 'fundingRatePeriodS', 'interestRateE8', 'premiumClampE8',
  'fundingCap', 'premiumSampleS', 'premiumAveraging', 'impactMarginUnits', 'fundingPrice', 'fundingIndexRounding',
  'markMethod', 'markBasisWindowS', 'markBasisSampleS', 'markSubticksPerTick', 'levelBasis', 'marginCallLevelE8',
  'liquidationLevelE8', 'takeoverLevelE8', 'clearanceFeeRateE8', 'partial', 'liquidationLimit', 'adlRanking',
  'adlIndicatorRefreshMs', 'insuranceFundId', 'ifMaxNetNotionalE8', 'model',
]);
const PARTIAL_KEYS = new Set(['thresholdUnits', 'stepFractionE8', 'minStepUnits', 'cooldownMs']);
const MAX_SUBTICKS_PER_TICK = 1_000_000;
/** 10,000× is far beyond any venue; the bound keeps leverage × subticks products small. */
const MAX_LEVERAGE = 10_000;

function reject(key: string, why: string): never {
  throw new DomainError(RiskErrorCode.InvalidMarketParams, `${key} ${why}`);
}

function int(key: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) reject(key, `must be a safe integer, got ${String(value)}`);
  if (value < min || value > max) reject(key, `must be within [${min}, ${max}], got ${value}`);
  return value;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: Record<string, T>): T {
  const values = Object.values(allowed);
  if (typeof value !== 'string' || !values.includes(value as T)) reject(key, `must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

function fundingCapOf(key: string, value: FundingCap | undefined, defaultMultipleE8: number): FundingCap {
  if (value === undefined) return Object.freeze({ kind: 'MMR_MULTIPLE', multipleE8: defaultMultipleE8 });
  if (value === null || typeof value !== 'object') reject(key, 'must be an object');
  if (value.kind === 'MMR_MULTIPLE') {
    for (const k of Object.keys(value)) if (k !== 'kind' && k !== 'multipleE8') reject(`${key}.${k}`, 'is not a fundingCap key');
    return Object.freeze({ kind: 'MMR_MULTIPLE', multipleE8: int(`${key}.multipleE8`, value.multipleE8, 1, 100 * E8) });
  }
  if (value.kind === 'ABSOLUTE') {
    for (const k of Object.keys(value)) if (k !== 'kind' && k !== 'rateE8') reject(`${key}.${k}`, 'is not a fundingCap key');
    return Object.freeze({ kind: 'ABSOLUTE', rateE8: int(`${key}.rateE8`, value.rateE8, 1, E8) });
  }
  if (value.kind === 'IMF_MMF_MULTIPLE') {
    for (const k of Object.keys(value)) if (k !== 'kind' && k !== 'multipleE8') reject(`${key}.${k}`, 'is not a fundingCap key');
    return Object.freeze({ kind: 'IMF_MMF_MULTIPLE', multipleE8: int(`${key}.multipleE8`, value.multipleE8, 1, 100 * E8) });
  }
  return reject(`${key}.kind`, `must be MMR_MULTIPLE, ABSOLUTE or IMF_MMF_MULTIPLE, got ${JSON.stringify((value as { kind: unknown }).kind)}`);
}

function liquidationLimitOf(key: string, value: LiquidationLimit | undefined): LiquidationLimit {
  if (value === undefined) return Object.freeze({ kind: 'BANKRUPTCY' });
  if (value === null || typeof value !== 'object') reject(key, 'must be an object');
  if (value.kind === 'BANKRUPTCY') {
    for (const k of Object.keys(value)) if (k !== 'kind') reject(`${key}.${k}`, 'is not a liquidationLimit key');
    return Object.freeze({ kind: 'BANKRUPTCY' });
  }
  if (value.kind === 'FILLABLE') {
    for (const k of Object.keys(value)) {
      if (k !== 'kind' && k !== 'bankruptcyAdjustmentE8' && k !== 'spreadToMmRatioE8') reject(`${key}.${k}`, 'is not a liquidationLimit key');
    }
    return Object.freeze({
      kind: 'FILLABLE',
      bankruptcyAdjustmentE8: int(`${key}.bankruptcyAdjustmentE8`, value.bankruptcyAdjustmentE8, 0, 100 * E8),
      spreadToMmRatioE8: int(`${key}.spreadToMmRatioE8`, value.spreadToMmRatioE8, 0, 100 * E8),
    });
  }
  return reject(`${key}.kind`, `must be BANKRUPTCY or FILLABLE, got ${JSON.stringify((value as { kind: unknown }).kind)}`);
}

/** Validates and freezes the risk parameters of `market` (see the module doc). */
export function createMarketRiskParams(market: MarketSpec, input: MarketRiskParamsInput): MarketRiskParams {
  const s = market.symbol;
  if (input === null || typeof input !== 'object') reject(s, 'risk params must be an object');
  for (const key of Object.keys(input)) if (!INPUT_KEYS.has(key)) reject(`${s}.${key}`, 'is not a risk parameter');
  const tiers = createTierTable(input.tiers, s);
  const oneCoin = 10 ** market.settleDecimals;

  const markSubticksPerTick = int(`${s}.markSubticksPerTick`, input.markSubticksPerTick ?? 100, 1, MAX_SUBTICKS_PER_TICK);
  if (market.lotTickUnits * markSubticksPerTick > MAX_WIDE_DIVISOR) {
    reject(`${s}.markSubticksPerTick`, `× lotTickUnits (${market.lotTickUnits}) must stay <= 2^50`);
  }
  if (tiers.maxLeverage[0] > MAX_LEVERAGE) reject(`${s}.tiers[0].maxLeverage`, `must be <= ${MAX_LEVERAGE}`);

  const fundingIntervalS = int(`${s}.fundingIntervalS`, input.fundingIntervalS ?? 28_800, 1, 366 * 86_400);
  const fundingRatePeriodS = int(`${s}.fundingRatePeriodS`, input.fundingRatePeriodS ?? 28_800, 1, 366 * 86_400);
  const premiumSampleS = int(`${s}.premiumSampleS`, input.premiumSampleS ?? 5, 1, fundingIntervalS);
  if (fundingIntervalS % premiumSampleS !== 0) reject(`${s}.premiumSampleS`, `must divide fundingIntervalS ${fundingIntervalS}, got ${premiumSampleS}`);
  const markBasisSampleS = int(`${s}.markBasisSampleS`, input.markBasisSampleS ?? 1, 1, 86_400);
  const markBasisWindowS = int(`${s}.markBasisWindowS`, input.markBasisWindowS ?? 30, markBasisSampleS, 86_400);
  if (markBasisWindowS % markBasisSampleS !== 0) {
    reject(`${s}.markBasisWindowS`, `must be a multiple of markBasisSampleS ${markBasisSampleS}, got ${markBasisWindowS}`);
  }

  const marginCallLevelE8 = int(`${s}.marginCallLevelE8`, input.marginCallLevelE8 ?? 125_000_000, 1, 1000 * E8);
  const liquidationLevelE8 = int(`${s}.liquidationLevelE8`, input.liquidationLevelE8 ?? E8, 1, 1000 * E8);
  if (marginCallLevelE8 <= liquidationLevelE8) {
    reject(`${s}.marginCallLevelE8`, `must be > liquidationLevelE8 ${liquidationLevelE8}, got ${marginCallLevelE8}`);
  }
  let takeoverLevelE8: number | null = null;
  if (input.takeoverLevelE8 !== undefined && input.takeoverLevelE8 !== null) {
    takeoverLevelE8 = int(`${s}.takeoverLevelE8`, input.takeoverLevelE8, 0, 1000 * E8);
    if (takeoverLevelE8 >= liquidationLevelE8) {
      reject(`${s}.takeoverLevelE8`, `must be < liquidationLevelE8 ${liquidationLevelE8}, got ${takeoverLevelE8}`);
    }
  }

  const partialIn = input.partial ?? {};
  if (partialIn === null || typeof partialIn !== 'object') reject(`${s}.partial`, 'must be an object');
  for (const key of Object.keys(partialIn)) if (!PARTIAL_KEYS.has(key)) reject(`${s}.partial.${key}`, 'is not a partial-liquidation key');
  const partial: PartialLiquidation = Object.freeze({
    thresholdUnits: int(`${s}.partial.thresholdUnits`, partialIn.thresholdUnits ?? tiers.capUnits[0], 0),
    stepFractionE8: int(`${s}.partial.stepFractionE8`, partialIn.stepFractionE8 ?? 20_000_000, 1, E8),
    minStepUnits: int(`${s}.partial.minStepUnits`, partialIn.minStepUnits ?? 0, 0),
    cooldownMs: int(`${s}.partial.cooldownMs`, partialIn.cooldownMs ?? 0, 0),
  });

  const model = createRiskModel(s, input.model, tiers);
  const fundingCap = fundingCapOf(`${s}.fundingCap`, input.fundingCap, 75_000_000);
  if (fundingCap.kind === 'IMF_MMF_MULTIPLE' && model.imfRamp === null) reject(`${s}.fundingCap.kind`, 'IMF_MMF_MULTIPLE needs model.initialMargin IMF_RAMP');

  const insuranceFundId = input.insuranceFundId ?? 'shared';
  if (typeof insuranceFundId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(insuranceFundId)) {
    reject(`${s}.insuranceFundId`, `must be 1..64 of [A-Za-z0-9_-], got ${JSON.stringify(insuranceFundId)}`);
  }

  return Object.freeze({
    symbol: s,
    lotTickUnits: market.lotTickUnits,
    settleDecimals: market.settleDecimals,
    tick: market.tick,
    lot: market.lot,
    priceDecimals: int(`${s}.priceDecimals`, input.priceDecimals ?? 2, 0, 18),
    tiers,
    fundingIntervalS,
    fundingRatePeriodS,
    interestRateE8: int(`${s}.interestRateE8`, input.interestRateE8 ?? 10_000, -E8, E8),
    premiumClampE8: int(`${s}.premiumClampE8`, input.premiumClampE8 ?? 50_000, 0, E8),
    fundingCap,
    premiumSampleS,
    premiumAveraging: oneOf(`${s}.premiumAveraging`, input.premiumAveraging ?? PremiumAveraging.LinearWeighted, PremiumAveraging),
    impactMarginUnits: int(`${s}.impactMarginUnits`, input.impactMarginUnits ?? 200 * oneCoin, 1),
    fundingPrice: oneOf(`${s}.fundingPrice`, input.fundingPrice ?? FundingPriceSource.Mark, FundingPriceSource),
    fundingIndexRounding: oneOf(`${s}.fundingIndexRounding`, input.fundingIndexRounding ?? FundingIndexRounding.Exact, FundingIndexRounding),
    markMethod: oneOf(`${s}.markMethod`, input.markMethod ?? MarkMethod.Median3, MarkMethod),
    markBasisWindowS,
    markBasisSampleS,
    markSubticksPerTick,
    levelBasis: oneOf(`${s}.levelBasis`, input.levelBasis ?? LevelBasis.MM, LevelBasis),
    marginCallLevelE8,
    liquidationLevelE8,
    takeoverLevelE8,
    clearanceFeeRateE8: int(`${s}.clearanceFeeRateE8`, input.clearanceFeeRateE8, 0, E8),
    partial,
    liquidationLimit: liquidationLimitOf(`${s}.liquidationLimit`, input.liquidationLimit),
    adlRanking: oneOf(`${s}.adlRanking`, input.adlRanking ?? AdlRanking.PnlTimesLeverage, AdlRanking),
    adlIndicatorRefreshMs: int(`${s}.adlIndicatorRefreshMs`, input.adlIndicatorRefreshMs ?? 1_000, 1),
    insuranceFundId,
    ifMaxNetNotionalE8: int(`${s}.ifMaxNetNotionalE8`, input.ifMaxNetNotionalE8 ?? E8, 0, 1000 * E8),
    model,
  });
}
