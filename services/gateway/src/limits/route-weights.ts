/**
 * Binance USDⓈ-M request weights of the /fapi routes (their published costs), as
 * route config for the request limiter (limits-hooks.ts): `config: { limits:
 * routeLimits('GET /fapi/v1/depth') }`. A weight may depend on the query (depth by
 * `limit`, openOrders with or without `symbol`): the limiter calls it with the
 * parsed query before anything else runs. Order routes are marked `order`, so
 * they count against the key's order rate.
 */
import type { RouteLimitConfig } from './limits-hooks.js';

type Query = Readonly<Record<string, unknown>>;

function depthWeight(q: Query): number {
  const limit = Number(q.limit ?? 500);
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

const withSymbol = (one: number, all: number) => (q: Query) => (q.symbol === undefined ? all : one);

export const ROUTE_LIMITS: Readonly<Record<string, RouteLimitConfig>> = {
  'GET /fapi/v1/ping': { weight: 1 },
  'GET /fapi/v1/time': { weight: 1 },
  'GET /fapi/v1/exchangeInfo': { weight: 1 },
  'GET /fapi/v1/depth': { weight: depthWeight },
  'GET /fapi/v1/trades': { weight: 5 },
  'GET /fapi/v1/aggTrades': { weight: 20 },
  'GET /fapi/v1/ticker/24hr': { weight: withSymbol(1, 40) },
  'GET /fapi/v1/ticker/price': { weight: withSymbol(1, 2) },
  'GET /fapi/v1/ticker/bookTicker': { weight: withSymbol(2, 5) },
  'GET /fapi/v1/premiumIndex': { weight: 1 },
  'GET /fapi/v1/fundingRate': { weight: 1 },
  'POST /fapi/v1/order': { weight: 1, order: true },
  'PUT /fapi/v1/order': { weight: 1, order: true },
  'GET /fapi/v1/order': { weight: 1 },
  'DELETE /fapi/v1/order': { weight: 1 },
  'POST /fapi/v1/batchOrders': { weight: 5, order: true },
  'GET /fapi/v1/openOrders': { weight: withSymbol(1, 40) },
  'GET /fapi/v1/openOrder': { weight: 1 },
  'DELETE /fapi/v1/allOpenOrders': { weight: 1 },
  'GET /fapi/v1/allOrders': { weight: 5 },
  'GET /fapi/v1/userTrades': { weight: 5 },
  'POST /fapi/v1/countdownCancelAll': { weight: 10 },
  'POST /fapi/v1/leverage': { weight: 1 },
  'POST /fapi/v1/marginType': { weight: 1 },
  'POST /fapi/v1/positionMargin': { weight: 1 },
  'GET /fapi/v1/leverageBracket': { weight: 1 },
  'GET /fapi/v2/account': { weight: 5 },
  'GET /fapi/v3/account': { weight: 5 },
  'GET /fapi/v2/balance': { weight: 5 },
  'GET /fapi/v3/balance': { weight: 5 },
  'GET /fapi/v2/positionRisk': { weight: 5 },
  'GET /fapi/v3/positionRisk': { weight: 5 },
  'POST /fapi/v1/algoOrder': { weight: 1, order: true },
  'DELETE /fapi/v1/algoOrder': { weight: 1 },
  'GET /fapi/v1/algoOrder': { weight: 1 },
  'GET /fapi/v1/openAlgoOrders': { weight: withSymbol(1, 40) },
  'POST /fapi/v1/listenKey': { weight: 1 },
  'PUT /fapi/v1/listenKey': { weight: 1 },
  'DELETE /fapi/v1/listenKey': { weight: 1 },
};

/** The limiter config of one route ("METHOD /path"); weight 1 for a route not in the table. */
export function routeLimits(route: string): RouteLimitConfig {
  return ROUTE_LIMITS[route] ?? { weight: 1 };
}
