/**
 * Market spec: the trading grid of one perpetual market and its entry bounds.
 *
 * Invariants (checked by `createMarketSpec`, which throws a DomainError naming the key)
 * - `tickSize`, `lotSize` are positive decimals; `lotTickUnits = lotSize × tickSize ×
 *   10^settleDecimals` is a positive integer, so `qtyLots × priceTicks × lotTickUnits`
 *   is an exact notional in settle units.
 * - `maxPriceTicks × maxQtyLots ≤ 2^53 − 1`: every book-path product of a price and a
 *   quantity is an exact JS number.
 * - `priceBandE8` (0 < band < 1e8) bounds how far from the reference price a market
 *   order may trade; the remainder is cancelled (market-order protection).
 *
 * The risk part of a market (tiers, funding, levels) lives in `libs/margin`.
 */
import { DomainError } from './domain-error.js';
import { type ScaledDecimal, decimalToSteps, formatSteps, parseDecimal } from './decimal.js';
import { type MarketSymbol, requireMarketSymbol } from './ids.js';
import { requirePositiveInteger } from './safe-integer.js';

export interface MarketSpecInput {
  symbol: string;
  baseAsset: string;
  settleAsset: string;
  /** Digits of the settle asset's smallest unit (USDT: 6 → micro-USDT). */
  settleDecimals: number;
  tickSize: string;
  lotSize: string;
  maxPriceTicks: number;
  maxQtyLots: number;
  /** Fraction in 1e-8: a market order never trades beyond reference × (1 ± band). */
  priceBandE8: number;
}

export interface MarketSpec {
  readonly symbol: MarketSymbol;
  readonly baseAsset: string;
  readonly settleAsset: string;
  readonly settleDecimals: number;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly tick: ScaledDecimal;
  readonly lot: ScaledDecimal;
  readonly maxPriceTicks: number;
  readonly maxQtyLots: number;
  readonly priceBandE8: number;
  /** Settle units of one lot at one tick: notionalUnits = qtyLots × priceTicks × lotTickUnits. */
  readonly lotTickUnits: number;
}

const ASSET_PATTERN = /^[A-Z0-9]{2,12}$/;

export function createMarketSpec(input: MarketSpecInput): MarketSpec {
  const symbol = requireMarketSymbol(input.symbol);
  for (const key of ['baseAsset', 'settleAsset'] as const) {
    if (typeof input[key] !== 'string' || !ASSET_PATTERN.test(input[key])) {
      throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', `${symbol}.${key} must be an asset code, got ${JSON.stringify(input[key])}`);
    }
  }
  const settleDecimals = requirePositiveInteger(`${symbol}.settleDecimals`, input.settleDecimals);
  if (settleDecimals > 18) throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', `${symbol}.settleDecimals must be <= 18`);
  const tick = parseDecimal(`${symbol}.tickSize`, input.tickSize);
  const lot = parseDecimal(`${symbol}.lotSize`, input.lotSize);
  if (tick.mantissa <= 0n) throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', `${symbol}.tickSize must be > 0`);
  if (lot.mantissa <= 0n) throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', `${symbol}.lotSize must be > 0`);
  const maxPriceTicks = requirePositiveInteger(`${symbol}.maxPriceTicks`, input.maxPriceTicks);
  const maxQtyLots = requirePositiveInteger(`${symbol}.maxQtyLots`, input.maxQtyLots);
  if (BigInt(maxPriceTicks) * BigInt(maxQtyLots) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', `${symbol}: maxPriceTicks × maxQtyLots must stay <= 2^53 - 1`);
  }
  const priceBandE8 = requirePositiveInteger(`${symbol}.priceBandE8`, input.priceBandE8);
  if (priceBandE8 >= 100_000_000) throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', `${symbol}.priceBandE8 must be < 1e8`);
  // lotSize × tickSize × 10^settleDecimals must be a whole number of settle units
  const scaled = lot.mantissa * tick.mantissa * 10n ** BigInt(settleDecimals);
  const divisor = 10n ** BigInt(lot.scale + tick.scale);
  if (scaled % divisor !== 0n || scaled / divisor <= 0n) {
    throw new DomainError(
      'DOMAIN_INVALID_MARKET_SPEC',
      `${symbol}: lotSize × tickSize × 10^settleDecimals must be a positive integer (lot ${input.lotSize}, tick ${input.tickSize}, decimals ${settleDecimals})`,
    );
  }
  const lotTickUnits = Number(scaled / divisor);
  return Object.freeze({
    symbol,
    baseAsset: input.baseAsset,
    settleAsset: input.settleAsset,
    settleDecimals,
    tickSize: input.tickSize,
    lotSize: input.lotSize,
    tick,
    lot,
    maxPriceTicks,
    maxQtyLots,
    priceBandE8,
    lotTickUnits,
  });
}

/** "30001.5" → ticks; off-tick, non-positive or above maxPriceTicks is refused. */
export function priceToTicks(spec: MarketSpec, text: unknown, field = 'price'): number {
  const ticks = decimalToSteps(field, text, spec.tick);
  if (ticks <= 0n || ticks > BigInt(spec.maxPriceTicks)) {
    throw new DomainError('DOMAIN_PRICE_OUT_OF_RANGE', `${field} ${String(text)} must be within (0, ${formatSteps(spec.maxPriceTicks, spec.tick)}]`);
  }
  return Number(ticks);
}

/** "0.125" → lots; off-lot, non-positive or above maxQtyLots is refused. */
export function qtyToLots(spec: MarketSpec, text: unknown, field = 'quantity'): number {
  const lots = decimalToSteps(field, text, spec.lot);
  if (lots <= 0n || lots > BigInt(spec.maxQtyLots)) {
    throw new DomainError('DOMAIN_QTY_OUT_OF_RANGE', `${field} ${String(text)} must be within (0, ${formatSteps(spec.maxQtyLots, spec.lot)}]`);
  }
  return Number(lots);
}

export function formatPrice(spec: MarketSpec, priceTicks: number): string {
  return formatSteps(priceTicks, spec.tick);
}

export function formatQty(spec: MarketSpec, qtyLots: number): string {
  return formatSteps(qtyLots, spec.lot);
}
