/**
 * Binance symbols ↔ the core's market symbols. On the wire a symbol is Binance-style
 * (`BTCUSDT`, upper case in REST, lower case in stream names); the core may spell a
 * market with a dash (`BTC-USDT`, libs/domain ids). One mapping, used by every route.
 *
 * Invariant: `fromBinanceSymbol(toBinanceSymbol(m), listed) === m` for every listed
 * market `m`; a symbol that names no listed market maps to `undefined` (the route
 * answers -1121 Invalid symbol).
 */

/** `BTC-USDT` → `BTCUSDT` (a dash-free market is already Binance-style). */
export function toBinanceSymbol(market: string): string {
  return market.replace('-', '');
}

/** `BTCUSDT` → the listed market it names, or undefined. Exact, case-sensitive (as Binance REST). */
export function fromBinanceSymbol(symbol: string, listed: Iterable<string>): string | undefined {
  for (const market of listed) if (toBinanceSymbol(market) === symbol) return market;
  return undefined;
}
