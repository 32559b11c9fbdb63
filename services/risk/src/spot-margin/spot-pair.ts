/**
 * A spot pair (market kind SPOT): base against the settle asset as quote, traded on
 * the same order book library as the perps. Sizes are lots of the base, prices ticks
 * of the quote:
 * - base moved by a fill: `qtyLots × baseUnitsPerLot`;
 * - quote moved by a fill: `qtyLots × priceTicks × quoteUnitsPerLotTick` (exact);
 * - the base's index price as a collateral price: `priceTicks × quoteUnitsPerLotTick`
 *   settle units per `baseUnitsPerLot` base units.
 * `maxPriceTicks × maxQtyLots × quoteUnitsPerLotTick` must stay a safe integer.
 *
 * Example BTC/USDT: lot 0.0001 BTC (10,000 sat), tick 0.01 USDT: one lot at one tick
 * is 0.000001 USDT = 1 unit → quoteUnitsPerLotTick 1; 30,000.00 = 3,000,000 ticks.
 */
import { DomainError } from '@perpcore/domain';
import type { CollateralPrice } from '@perpcore/margin';

export interface SpotPairSpec {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly baseUnitsPerLot: number;
  readonly quoteUnitsPerLotTick: number;
  readonly maxPriceTicks: number;
  readonly maxQtyLots: number;
  /** Market-order protection band around the index (1e-8), also the liquidation order's limit. */
  readonly priceBandE8: number;
}

export function createSpotPairSpec(input: SpotPairSpec): SpotPairSpec {
  const bad = (key: string, why: string): never => {
    throw new DomainError('DOMAIN_INVALID_MARKET_SPEC', `${input.symbol}.${key} ${why}`);
  };
  if (!/^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/.test(input.symbol)) bad('symbol', 'must read BASE/QUOTE');
  if (input.symbol !== `${input.baseAsset}/${input.quoteAsset}`) bad('symbol', `must be ${input.baseAsset}/${input.quoteAsset}`);
  for (const key of ['baseUnitsPerLot', 'quoteUnitsPerLotTick', 'maxPriceTicks', 'maxQtyLots'] as const) {
    if (!Number.isSafeInteger(input[key]) || input[key] <= 0) bad(key, `must be a positive integer, got ${String(input[key])}`);
  }
  if (!Number.isSafeInteger(input.priceBandE8) || input.priceBandE8 <= 0 || input.priceBandE8 >= 100_000_000) bad('priceBandE8', 'must be in (0, 1e8)');
  if (!Number.isSafeInteger(input.maxPriceTicks * input.maxQtyLots * input.quoteUnitsPerLotTick)) bad('maxPriceTicks', '× maxQtyLots × quoteUnitsPerLotTick must be a safe integer');
  return Object.freeze({ ...input });
}

export function quoteUnitsOf(pair: SpotPairSpec, qtyLots: number, priceTicks: number): number {
  return qtyLots * priceTicks * pair.quoteUnitsPerLotTick;
}

export function baseUnitsOf(pair: SpotPairSpec, qtyLots: number): number {
  return qtyLots * pair.baseUnitsPerLot;
}

export function indexAsCollateralPrice(pair: SpotPairSpec, priceTicks: number): CollateralPrice {
  return { settleUnits: priceTicks * pair.quoteUnitsPerLotTick, perAssetUnits: pair.baseUnitsPerLot };
}
