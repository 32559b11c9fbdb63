/**
 * The public market-data REST routes under /fapi/v1 (a fastify plugin): ping, time,
 * exchangeInfo, depth, trades, aggTrades, ticker/24hr, ticker/price, ticker/bookTicker,
 * premiumIndex, fundingRate. They read the market-data read model only; no route
 * changes any state. Each route declares its Binance weight in `config.binanceWeight`.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { VenueMarket } from '@perpcore/markets';
import { binanceError } from '../binance/binance-error.js';
import { fromBinanceSymbol } from '../binance/symbols.js';
import { sendBinanceError } from './binance-error-handler.js';
import { defaultListingLimits, exchangeInfoJson, type ListingLimits } from './exchange-info.js';
import type { MarketDataModel } from './market-data-model.js';
import type { MarketState } from './market-state.js';
import { aggTradeJson, bookTickerJson, depthJson, fundingRowJson, premiumIndexJson, priceTickerJson, ticker24hJson, tradeJson } from './market-views.js';
import { limitOneOf, optionalInt, type QueryParams, readQuery } from './query-params.js';
import { type PublicRoutePath, publicRouteWeights } from './route-weights.js';

export interface PublicRoutesOptions {
  model: MarketDataModel;
  venue: readonly VenueMarket[];
  /** Wall-clock ms (serverTime; clients sign against it). */
  nowMs: () => number;
  limits?: ListingLimits;
  /** exchangeInfo `onboardDate` (ms); default: when the plugin was built. */
  onboardMs?: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Binance request weight of the route, from its query (route-weights.ts). */
    binanceWeight?: (query: Readonly<Record<string, unknown>>) => number;
  }
}

const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;
const HOUR_MS = 3_600_000;
const MAX_MS = 8_640_000_000_000_000;

export const publicMarketRoutes: FastifyPluginAsync<PublicRoutesOptions> = async (app: FastifyInstance, opts: PublicRoutesOptions) => {
  const { model, nowMs } = opts;
  const limits = opts.limits ?? defaultListingLimits;
  const onboardMs = opts.onboardMs ?? nowMs();
  app.setErrorHandler(sendBinanceError);

  const get = (path: PublicRoutePath, allowed: readonly string[], handler: (q: QueryParams) => unknown) =>
    app.get(path, { config: { binanceWeight: publicRouteWeights[path] } }, async (request) => handler(readQuery(request.query, allowed)));

  const marketOf = (q: QueryParams): MarketState => {
    const symbol = q.symbol;
    if (symbol === undefined || symbol === '') throw binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED', '(symbol)');
    const market = fromBinanceSymbol(symbol, model.marketNames());
    const state = market === undefined ? undefined : model.market(market);
    if (state === undefined) throw binanceError('BAD_SYMBOL');
    return state;
  };
  /** One market's row, or every market's rows when no symbol is given (Binance's list form). */
  const oneOrAll = (q: QueryParams, view: (m: MarketState) => object) => (q.symbol === undefined ? [...model.markets()].map(view) : view(marketOf(q)));
  const timeRange = (q: QueryParams) => ({ start: optionalInt(q, 'startTime', { min: 0, max: MAX_MS }), end: optionalInt(q, 'endTime', { min: 0, max: MAX_MS }) });

  get('/fapi/v1/ping', [], () => ({}));
  get('/fapi/v1/time', [], () => ({ serverTime: nowMs() }));
  get('/fapi/v1/exchangeInfo', [], () => exchangeInfoJson(opts.venue, limits, nowMs(), onboardMs));

  get('/fapi/v1/depth', ['symbol', 'limit'], (q) => depthJson(marketOf(q), limitOneOf(q, DEPTH_LIMITS, 500), nowMs()));

  get('/fapi/v1/trades', ['symbol', 'limit'], (q) => {
    const m = marketOf(q);
    const limit = optionalInt(q, 'limit', { min: 1, max: 1_000 }) ?? 500;
    return m.trades.newest(limit).map((t) => tradeJson(m, t));
  });

  get('/fapi/v1/aggTrades', ['symbol', 'fromId', 'startTime', 'endTime', 'limit'], (q) => {
    const m = marketOf(q);
    const limit = optionalInt(q, 'limit', { min: 1, max: 1_000 }) ?? 500;
    const fromId = optionalInt(q, 'fromId', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const { start, end } = timeRange(q);
    if (start !== undefined && end !== undefined && (end < start || end - start > HOUR_MS)) throw binanceError('INVALID_PARAMETER', '(startTime/endTime: at most one hour apart)');
    m.closeAggTrade();
    if (fromId !== undefined) return m.aggTrades.oldest(limit, (a) => a.id >= fromId).map((a) => aggTradeJson(m, a));
    if (start === undefined && end === undefined) return m.aggTrades.newest(limit).map((a) => aggTradeJson(m, a));
    const lo = start ?? (end as number) - HOUR_MS;
    const hi = end ?? lo + HOUR_MS;
    return m.aggTrades.oldest(limit, (a) => a.tsMs >= lo && a.tsMs <= hi).map((a) => aggTradeJson(m, a));
  });

  get('/fapi/v1/ticker/24hr', ['symbol'], (q) => oneOrAll(q, ticker24hJson));
  get('/fapi/v1/ticker/price', ['symbol'], (q) => oneOrAll(q, priceTickerJson));
  get('/fapi/v1/ticker/bookTicker', ['symbol'], (q) => oneOrAll(q, bookTickerJson));
  get('/fapi/v1/premiumIndex', ['symbol'], (q) => oneOrAll(q, premiumIndexJson));

  get('/fapi/v1/fundingRate', ['symbol', 'startTime', 'endTime', 'limit'], (q) => {
    const limit = optionalInt(q, 'limit', { min: 1, max: 1_000 }) ?? 100;
    const { start, end } = timeRange(q);
    const markets = q.symbol === undefined ? [...model.markets()] : [marketOf(q)];
    const keep = (t: number) => (start === undefined || t >= start) && (end === undefined || t <= end);
    const rows = markets.flatMap((m) => m.fundingHistory.newest(m.fundingHistory.capacity, (r) => keep(r.fundingTimeMs)).map((r) => ({ m, r })));
    rows.sort((a, b) => a.r.fundingTimeMs - b.r.fundingTimeMs);
    // Binance: with a startTime the oldest `limit` rows from it, else the newest `limit`
    const picked = start !== undefined ? rows.slice(0, limit) : rows.slice(Math.max(0, rows.length - limit));
    return picked.map(({ m, r }) => fundingRowJson(m, r));
  });
};
