/**
 * Pre-trade filter checks from a market's exchangeInfo filters, for the order
 * routes to call before an order reaches the core. Pure: integers in (ticks,
 * lots, settle units, 1e-8 ratios), the name of the failed filter's error out.
 *
 * | filter          | rule (checked in this order)                                      | error |
 * |-----------------|-------------------------------------------------------------------|-------|
 * | MAX_NUM_ORDERS  | open orders of the account in the market < maxOpenOrders          | -4015 |
 * | LOT_SIZE        | minQtyLots ≤ qty ≤ maxQtyLots (limit orders)                      | -4004 / -4005 |
 * | MARKET_LOT_SIZE | minQtyLots ≤ qty ≤ marketMaxQtyLots (market orders)               | -4004 / -4005 |
 * | PERCENT_PRICE   | mark × down ≤ price ≤ mark × up (limit orders, once a mark exists) | -4024 / -4016 |
 * | MIN_NOTIONAL    | price × qty × lotTickUnits ≥ minNotionalUnits (market: at mark)   | -4164 |
 *
 * No rounding: every bound is compared by exact cross-multiplication (a bigint
 * product only when a number product could leave the safe range), so a price one
 * tick outside a band is refused and one exactly on it is accepted. Reduce-only
 * orders skip MIN_NOTIONAL (closing a small position must stay possible), as
 * Binance does.
 */
import type { MarketSpec } from '@perpcore/domain';
import type { BinanceErrorName } from '../binance/binance-error.js';

export interface OrderFilters {
  readonly maxOpenOrders: number;
  readonly minQtyLots: number;
  readonly maxQtyLots: number;
  readonly marketMaxQtyLots: number;
  readonly minNotionalUnits: number;
  /** PERCENT_PRICE multiplierUp / multiplierDown in 1e-8 (1.05 → 105_000_000). */
  readonly multiplierUpE8: number;
  readonly multiplierDownE8: number;
  /** From the market spec: settle units of one lot at one tick. */
  readonly lotTickUnits: number;
}

export interface OrderUnderCheck {
  readonly isMarket: boolean;
  /** Limit price in ticks (ignored for market orders). */
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly reduceOnly: boolean;
}

export interface OrderCheckContext {
  /** The account's open orders in this market now. */
  readonly openOrders: number;
  /** The market's mark in whole ticks; 0 while there is none. */
  readonly markTicks: number;
}

const E8 = 100_000_000;

/**
 * The filters a market lists in exchangeInfo, derived from its spec: one source
 * for the check here and for the exchangeInfo the market-data routes serve.
 * PERCENT_PRICE is the market's price band (priceBandE8) either side of mark;
 * MARKET_LOT_SIZE a tenth of LOT_SIZE's maximum; MIN_NOTIONAL 5 settle-asset units
 * (Binance's USDⓈ-M figure); MAX_NUM_ORDERS 200.
 */
export function orderFiltersOf(spec: MarketSpec): OrderFilters {
  return {
    maxOpenOrders: 200,
    minQtyLots: 1,
    maxQtyLots: spec.maxQtyLots,
    marketMaxQtyLots: Math.max(1, Math.floor(spec.maxQtyLots / 10)),
    minNotionalUnits: 5 * 10 ** spec.settleDecimals,
    multiplierUpE8: E8 + spec.priceBandE8,
    multiplierDownE8: E8 - spec.priceBandE8,
    lotTickUnits: spec.lotTickUnits,
  };
}

/** '' when the order passes every filter, else the catalogue name of the first it fails. */
export function checkOrderFilters(f: OrderFilters, o: OrderUnderCheck, ctx: OrderCheckContext): BinanceErrorName | '' {
  if (ctx.openOrders >= f.maxOpenOrders) return 'MAX_OPEN_ORDER_EXCEEDED';
  if (o.qtyLots < f.minQtyLots) return 'QTY_LESS_THAN_MIN_QTY';
  if (o.qtyLots > (o.isMarket ? f.marketMaxQtyLots : f.maxQtyLots)) return 'QTY_GREATER_THAN_MAX_QTY';
  if (!o.isMarket && ctx.markTicks > 0) {
    // price ≤ mark × up / 1e8  ⟺  price × 1e8 ≤ mark × up
    if (compareProducts(o.priceTicks, E8, ctx.markTicks, f.multiplierUpE8) > 0) return 'PRICE_HIGHER_THAN_MULTIPLIER_UP';
    if (compareProducts(o.priceTicks, E8, ctx.markTicks, f.multiplierDownE8) < 0) return 'PRICE_LOWER_THAN_MULTIPLIER_DOWN';
  }
  if (!o.reduceOnly) {
    const priceTicks = o.isMarket ? ctx.markTicks : o.priceTicks;
    // a market order before the first mark has no notional to check: the core refuses it (no mark price)
    if (priceTicks > 0 && compareProducts(priceTicks * o.qtyLots, f.lotTickUnits, f.minNotionalUnits, 1) < 0) return 'MIN_NOTIONAL';
  }
  return '';
}

/** Sign of a × b − c × d, exact for non-negative safe integers. */
export function compareProducts(a: number, b: number, c: number, d: number): number {
  const left = a * b;
  const right = c * d;
  if (left <= Number.MAX_SAFE_INTEGER && right <= Number.MAX_SAFE_INTEGER) return left === right ? 0 : left < right ? -1 : 1;
  const l = BigInt(a) * BigInt(b);
  const r = BigInt(c) * BigInt(d);
  return l === r ? 0 : l < r ? -1 : 1;
}
