/**
 * `GET /fapi/v1/exchangeInfo`: the listed markets with the Binance fields ccxt reads
 * (BINANCE-COMPAT §3, loadMarkets) and their filters, built from the market spec
 * (tick, lot, bounds, market-order band) and the venue's risk parameters (clearance
 * fee, first-tier margin). `symbolFilters` is the one place the filter values are
 * derived, so the order checks (gw-security's limits) read the same numbers clients see.
 */
import { formatScaled, type MarketSpec } from '@perpcore/domain';
import type { VenueMarket } from '@perpcore/markets';
import { toBinanceSymbol } from '../binance/symbols.js';
import { priceText, qtyText, rateE8Text } from './wire-format.js';

/** Venue limits that are not in the market spec (Binance's defaults for BTCUSDT). */
export interface ListingLimits {
  /** MAX_NUM_ORDERS: open orders per account and symbol. */
  maxNumOrders: number;
  /** MAX_NUM_ALGO_ORDERS. */
  maxNumAlgoOrders: number;
  /** MIN_NOTIONAL in settle units (5 USDT = 5,000,000). */
  minNotionalUnits: number;
  /** MARKET_LOT_SIZE maxQty in lots (0 = the spec's maxQtyLots). */
  maxMarketQtyLots: number;
  /** rateLimits advertised (the limiter enforces them). */
  requestWeightPerMinute: number;
  ordersPer10s: number;
  ordersPerMinute: number;
}

export const defaultListingLimits: ListingLimits = {
  maxNumOrders: 200,
  maxNumAlgoOrders: 10,
  minNotionalUnits: 5_000_000,
  maxMarketQtyLots: 0,
  requestWeightPerMinute: 2_400,
  ordersPer10s: 300,
  ordersPerMinute: 1_200,
};

/** Orders clients may send (ccxt refuses any other type locally: BINANCE-COMPAT §7 trap 7). */
export const ORDER_TYPES = ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'] as const;
export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTX'] as const;
/** Binance's delivery date for perpetuals (2100-12-25). */
const PERPETUAL_DELIVERY_MS = 4_133_404_800_000;

export interface SymbolFilters {
  readonly priceFilter: { minPriceTicks: number; maxPriceTicks: number };
  readonly lotSize: { minQtyLots: number; maxQtyLots: number };
  readonly marketLotSize: { minQtyLots: number; maxQtyLots: number };
  readonly maxNumOrders: number;
  readonly maxNumAlgoOrders: number;
  /** A limit order's price must lie within mark × [1 − band, 1 + band] (1e-8). */
  readonly percentPriceBandE8: number;
  readonly minNotionalUnits: number;
}

export function symbolFilters(spec: MarketSpec, limits: ListingLimits): SymbolFilters {
  const marketMax = limits.maxMarketQtyLots > 0 ? Math.min(limits.maxMarketQtyLots, spec.maxQtyLots) : spec.maxQtyLots;
  return {
    priceFilter: { minPriceTicks: 1, maxPriceTicks: spec.maxPriceTicks },
    lotSize: { minQtyLots: 1, maxQtyLots: spec.maxQtyLots },
    marketLotSize: { minQtyLots: 1, maxQtyLots: marketMax },
    maxNumOrders: limits.maxNumOrders,
    maxNumAlgoOrders: limits.maxNumAlgoOrders,
    percentPriceBandE8: spec.priceBandE8,
    minNotionalUnits: limits.minNotionalUnits,
  };
}

function filtersJson(spec: MarketSpec, f: SymbolFilters): object[] {
  const band = BigInt(f.percentPriceBandE8);
  return [
    { filterType: 'PRICE_FILTER', minPrice: priceText(spec, f.priceFilter.minPriceTicks), maxPrice: priceText(spec, f.priceFilter.maxPriceTicks), tickSize: spec.tickSize },
    { filterType: 'LOT_SIZE', minQty: qtyText(spec, f.lotSize.minQtyLots), maxQty: qtyText(spec, f.lotSize.maxQtyLots), stepSize: spec.lotSize },
    { filterType: 'MARKET_LOT_SIZE', minQty: qtyText(spec, f.marketLotSize.minQtyLots), maxQty: qtyText(spec, f.marketLotSize.maxQtyLots), stepSize: spec.lotSize },
    { filterType: 'MAX_NUM_ORDERS', limit: f.maxNumOrders },
    { filterType: 'MAX_NUM_ALGO_ORDERS', limit: f.maxNumAlgoOrders },
    { filterType: 'MIN_NOTIONAL', notional: formatScaled(f.minNotionalUnits, spec.settleDecimals) },
    { filterType: 'PERCENT_PRICE', multiplierUp: formatScaled(100_000_000n + band, 8), multiplierDown: formatScaled(100_000_000n - band, 8), multiplierDecimal: '8' },
  ];
}

export function exchangeInfoJson(venue: readonly VenueMarket[], limits: ListingLimits, serverTimeMs: number, onboardMs: number): object {
  const assets = [...new Set(venue.map((v) => v.spec.settleAsset))];
  return {
    timezone: 'UTC',
    serverTime: serverTimeMs,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: limits.requestWeightPerMinute },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: limits.ordersPerMinute },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10s },
    ],
    exchangeFilters: [],
    assets: assets.map((asset) => ({ asset, marginAvailable: true, autoAssetExchange: '0' })),
    symbols: venue.map((v) => {
      const spec = v.spec;
      const firstTier = v.risk.tiers;
      return {
        symbol: toBinanceSymbol(spec.symbol),
        pair: toBinanceSymbol(spec.symbol),
        contractType: 'PERPETUAL',
        deliveryDate: PERPETUAL_DELIVERY_MS,
        onboardDate: onboardMs,
        status: 'TRADING',
        maintMarginPercent: formatScaled(BigInt(firstTier.mmrE8[0] ?? 0), 6),
        requiredMarginPercent: formatScaled(BigInt(Math.ceil(100_000_000 / (firstTier.maxLeverage[0] ?? 1))), 6),
        baseAsset: spec.baseAsset,
        quoteAsset: spec.settleAsset,
        marginAsset: spec.settleAsset,
        pricePrecision: spec.tick.scale,
        quantityPrecision: spec.lot.scale,
        baseAssetPrecision: 8,
        quotePrecision: 8,
        underlyingType: 'COIN',
        underlyingSubType: [],
        settlePlan: 0,
        triggerProtect: rateE8Text(spec.priceBandE8),
        liquidationFee: rateE8Text(v.risk.clearanceFeeRateE8),
        marketTakeBound: rateE8Text(spec.priceBandE8),
        filters: filtersJson(spec, symbolFilters(spec, limits)),
        orderTypes: ORDER_TYPES,
        timeInForce: TIME_IN_FORCE,
      };
    }),
  };
}
