/**
 * The gateway (ARCHITECTURE.md, the door): the only way into the core, in both modes.
 * Trading API in Binance USDⓈ-M Futures conventions under /fapi, WebSocket streams,
 * and the operator API under /v1/admin, built on the exchange's typed client.
 */
export const GATEWAY_PACKAGE = '@perpcore/gateway';

// market data and streams (gw-streams)
export { fromBinanceSymbol, toBinanceSymbol } from './binance/symbols.js';
export { feedFromBus } from './market-data/bus-feed.js';
export { defaultListingLimits, symbolFilters, type ListingLimits, type SymbolFilters } from './market-data/exchange-info.js';
export type { MarketEventFeed } from './market-data/market-event-feed.js';
export { MarketDataModel } from './market-data/market-data-model.js';
export { publicMarketRoutes, type PublicRoutesOptions } from './market-data/public-routes.js';
export { publicRouteWeights, type RouteWeight } from './market-data/route-weights.js';
export { apiKeyAccount, listenKeyRoutes, type ListenKeyRoutesOptions } from './streams/listen-key-routes.js';
export { systemStreamClock, type StreamClock } from './streams/stream-clock.js';
export { StreamHub, type ListenKeys, type StreamHubHooks, type StreamHubOptions, type UserStreamSink } from './streams/stream-hub.js';
export { CloseCodes, defaultSessionLimits, type SessionLimits } from './streams/ws-session.js';
export { streamRoutes, type StreamRoutesOptions } from './streams/ws-routes.js';
