/**
 * Request weights of the public market-data routes, as data (Binance's published
 * weights for USDⓈ-M). Each route also carries its entry in `config.binanceWeight`,
 * so the limiter reads `request.routeOptions.config.binanceWeight(query)` without
 * knowing the routes.
 */
export type RouteWeight = (query: Readonly<Record<string, unknown>>) => number;

const bySymbol = (withSymbol: number, without: number): RouteWeight => (q) => (typeof q.symbol === 'string' ? withSymbol : without);

function depthWeight(q: Readonly<Record<string, unknown>>): number {
  const limit = Number(q.limit ?? 500);
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

export const publicRouteWeights = {
  '/fapi/v1/ping': () => 1,
  '/fapi/v1/time': () => 1,
  '/fapi/v1/exchangeInfo': () => 1,
  '/fapi/v1/depth': depthWeight,
  '/fapi/v1/trades': () => 5,
  '/fapi/v1/aggTrades': () => 20,
  '/fapi/v1/ticker/24hr': bySymbol(1, 40),
  '/fapi/v1/ticker/price': bySymbol(1, 2),
  '/fapi/v1/ticker/bookTicker': bySymbol(2, 5),
  '/fapi/v1/premiumIndex': () => 1,
  '/fapi/v1/fundingRate': () => 1,
} as const satisfies Record<string, RouteWeight>;

export type PublicRoutePath = keyof typeof publicRouteWeights;
