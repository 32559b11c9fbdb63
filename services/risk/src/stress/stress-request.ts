/**
 * The what-if stress query's input, validated before anything is computed
 * (`validateStressRequest`): a bad request throws `StressRequestError` with a
 * `RISK_STRESS_*` code and a message naming the offending field; nothing is read
 * from or written to the live state before that.
 *
 * - `shocks`: per market, either `shockBps` (integer, −10,000 < bps ≤ +10,000:
 *   −100% would leave no price) or an absolute `markSubticks` (a positive safe
 *   integer inside the market's price range). At least one shock, a market at most
 *   once. The shocked price is rounded away from the current one (a −20% shock of
 *   an odd price lands on the lower subtick): the stress is never milder than asked.
 *   The same ratio is applied to the market's index (the collateral assets it
 *   prices move with it); an absolute mark sets the index to the same price.
 * - `funding` (optional): one funding settlement per market at `rateE8` (|rate|
 *   ≤ 1e8, i.e. 100% per interval), at the shocked mark (or index, as the market's
 *   `fundingPrice` says), exactly as `MarketPrices.applyFunding` would apply it.
 * - `haircuts` (optional): per collateral asset a flat accepted ratio `ratioE8`
 *   in [0, 1e8] replacing its tiered schedule.
 * - `maxScopes` (optional, default 10,000): how many scope rows the answer lists
 *   (the totals always count every scope).
 */
import { Rounding, mulDiv } from '@perpcore/domain';
import type { RiskState } from '../risk-state.js';

export const StressReject = {
  InvalidRequest: 'RISK_STRESS_INVALID_REQUEST',
  UnknownMarket: 'RISK_STRESS_UNKNOWN_MARKET',
  UnknownAsset: 'RISK_STRESS_UNKNOWN_ASSET',
  InvalidNumber: 'RISK_STRESS_INVALID_NUMBER',
  ShockOutOfRange: 'RISK_STRESS_SHOCK_OUT_OF_RANGE',
  DuplicateEntry: 'RISK_STRESS_DUPLICATE_ENTRY',
  NoMarkPrice: 'RISK_STRESS_NO_MARK_PRICE',
} as const;
export type StressReject = (typeof StressReject)[keyof typeof StressReject];

export class StressRequestError extends Error {
  constructor(
    readonly code: StressReject,
    message: string,
  ) {
    super(message);
    this.name = 'StressRequestError';
  }
}

export interface StressShock {
  readonly market: string;
  readonly shockBps?: number;
  readonly markSubticks?: number;
}

export interface StressFunding {
  readonly market: string;
  readonly rateE8: number;
}

export interface StressHaircut {
  readonly asset: string;
  readonly ratioE8: number;
}

export interface StressRequest {
  readonly shocks: readonly StressShock[];
  readonly funding?: readonly StressFunding[];
  readonly haircuts?: readonly StressHaircut[];
  readonly maxScopes?: number;
}

/** A validated request, resolved to indexes and shocked prices. */
export interface ResolvedStress {
  /** Per market: the shocked mark (subticks), or −1 when the market is not shocked. */
  readonly markSubticks: Float64Array;
  /** Per market: the shocked index (subticks), or −1 when not shocked. */
  readonly indexSubticks: Float64Array;
  readonly shockedMarkets: readonly number[];
  /** Per market: funding rate to settle once, or null. */
  readonly fundingRateE8: readonly (number | null)[];
  /** Per collateral entry (setup.collateral order): the flat ratio replacing its haircut, or null. */
  readonly haircutRatioE8: readonly (number | null)[];
  readonly maxScopes: number;
}

const E8 = 100_000_000;
const BPS = 10_000;
const DEFAULT_MAX_SCOPES = 10_000;

function fail(code: StressReject, message: string): never {
  throw new StressRequestError(code, message);
}

function integerField(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(StressReject.InvalidNumber, `${key} must be a safe integer, got ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listField(body: Record<string, unknown>, key: string, required: boolean): Record<string, unknown>[] {
  const v = body[key];
  if (v === undefined && !required) return [];
  if (!Array.isArray(v)) fail(StressReject.InvalidRequest, `${key} must be an array`);
  if (required && v.length === 0) fail(StressReject.InvalidRequest, `${key} must name at least one market`);
  v.forEach((e, i) => {
    if (!isRecord(e)) fail(StressReject.InvalidRequest, `${key}[${i}] must be an object`);
  });
  return v as Record<string, unknown>[];
}

/** Shocks a price by `bps`, rounded away from the current price (never milder than asked). */
export function shockedPriceSubticks(priceSubticks: number, bps: number): number {
  return mulDiv(priceSubticks, BPS + bps, BPS, bps < 0 ? Rounding.Floor : Rounding.Ceil);
}

/** Validates `request` against the stage's markets and assets; throws `StressRequestError`. */
export function validateStressRequest(s: RiskState, request: unknown): ResolvedStress {
  if (!isRecord(request)) fail(StressReject.InvalidRequest, 'the stress request must be an object');
  const n = s.markets.length;
  const markSubticks = new Float64Array(n).fill(-1);
  const indexSubticks = new Float64Array(n).fill(-1);
  const shockedMarkets: number[] = [];
  const marketOf = (v: unknown, key: string): number => {
    if (typeof v !== 'string') fail(StressReject.InvalidRequest, `${key} must be a market symbol`);
    const m = s.setup.marketIndex.get(v);
    if (m === undefined) fail(StressReject.UnknownMarket, `${key}: market ${JSON.stringify(v)} is not listed`);
    return m;
  };
  listField(request, 'shocks', true).forEach((shock, i) => {
    const key = `shocks[${i}]`;
    const m = marketOf(shock.market, `${key}.market`);
    if (markSubticks[m] >= 0) fail(StressReject.DuplicateEntry, `${key}: market ${s.markets[m].symbol} is shocked twice`);
    const market = s.markets[m];
    if (market.markSubticks <= 0) fail(StressReject.NoMarkPrice, `${key}: ${market.symbol} has no mark price yet`);
    const hasBps = shock.shockBps !== undefined;
    const hasMark = shock.markSubticks !== undefined;
    if (hasBps === hasMark) fail(StressReject.InvalidRequest, `${key} needs exactly one of shockBps and markSubticks`);
    const maxSubticks = market.spec.maxPriceTicks * market.params.markSubticksPerTick;
    if (hasBps) {
      const bps = integerField(shock.shockBps, `${key}.shockBps`);
      if (bps <= -BPS || bps > BPS) fail(StressReject.ShockOutOfRange, `${key}.shockBps must be in (-10000, 10000] (beyond ±100%), got ${bps}`);
      markSubticks[m] = Math.max(1, shockedPriceSubticks(market.markSubticks, bps));
      indexSubticks[m] = market.indexSubticks > 0 ? Math.max(1, shockedPriceSubticks(market.indexSubticks, bps)) : markSubticks[m];
    } else {
      const mark = integerField(shock.markSubticks, `${key}.markSubticks`);
      if (mark <= 0 || mark > maxSubticks) fail(StressReject.ShockOutOfRange, `${key}.markSubticks must be in [1, ${maxSubticks}], got ${mark}`);
      markSubticks[m] = mark;
      indexSubticks[m] = mark;
    }
    if (markSubticks[m] > maxSubticks) fail(StressReject.ShockOutOfRange, `${key}: the shocked mark ${markSubticks[m]} is above the market's range (${maxSubticks} subticks)`);
    shockedMarkets.push(m);
  });
  const fundingRateE8: (number | null)[] = s.markets.map(() => null);
  listField(request, 'funding', false).forEach((f, i) => {
    const key = `funding[${i}]`;
    const m = marketOf(f.market, `${key}.market`);
    if (fundingRateE8[m] !== null) fail(StressReject.DuplicateEntry, `${key}: market ${s.markets[m].symbol} has two funding rates`);
    const rate = integerField(f.rateE8, `${key}.rateE8`);
    if (Math.abs(rate) > E8) fail(StressReject.ShockOutOfRange, `${key}.rateE8 must be in [-1e8, 1e8] (±100% per interval), got ${rate}`);
    fundingRateE8[m] = rate;
  });
  const haircutRatioE8: (number | null)[] = s.setup.collateral.map(() => null);
  listField(request, 'haircuts', false).forEach((h, i) => {
    const key = `haircuts[${i}]`;
    const c = s.setup.collateral.findIndex((x) => x.asset.asset === h.asset);
    if (c < 0) fail(StressReject.UnknownAsset, `${key}.asset: ${JSON.stringify(h.asset)} is not a collateral asset`);
    if (haircutRatioE8[c] !== null) fail(StressReject.DuplicateEntry, `${key}: asset ${String(h.asset)} has two haircuts`);
    const ratio = integerField(h.ratioE8, `${key}.ratioE8`);
    if (ratio < 0 || ratio > E8) fail(StressReject.ShockOutOfRange, `${key}.ratioE8 must be in [0, 1e8], got ${ratio}`);
    haircutRatioE8[c] = ratio;
  });
  const maxScopes = request.maxScopes === undefined ? DEFAULT_MAX_SCOPES : integerField(request.maxScopes, 'maxScopes');
  if (maxScopes < 0) fail(StressReject.InvalidNumber, `maxScopes must be >= 0, got ${maxScopes}`);
  return { markSubticks, indexSubticks, shockedMarkets, fundingRateE8, haircutRatioE8, maxScopes };
}
