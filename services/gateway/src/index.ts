/**
 * The gateway (ARCHITECTURE.md, the door): the only way into the core, in both modes.
 * Trading API in Binance USDⓈ-M Futures conventions under /fapi, WebSocket streams,
 * and the operator API under /v1/admin, built on the exchange's typed client.
 */
export const GATEWAY_PACKAGE = '@perpcore/gateway';
export { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server.js';
export { FIRST_OPERATOR_ACCOUNT_ID, operatorQuickStart, startEmbeddedGateway, type EmbeddedGateway, type EmbeddedGatewayOptions } from './embedded-gateway.js';
export { GATEWAY_SNAPSHOT_SECTION, gatewaySnapshotSection } from './gateway-snapshot-section.js';
export { BinanceError, BinanceErrors, binanceError, type BinanceErrorName } from './binance/binance-error.js';
export { OrderIdAllocator } from './read-model/order-id-allocator.js';
export { type AccountRegistry, type ApiKeyRecord, InMemoryAccountRegistry, type RegistryCommand, type RegistrySnapshot, RegistryRefusal } from './auth/account-registry.js';
export { generateApiCredentials, type ApiCredentials } from './auth/api-credentials.js';
export { type CallerIdentity, type Permission, callerOf, requireCaller } from './auth/authenticated-request.js';
export { RequestAuthenticator, DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS } from './auth/request-authenticator.js';
export { signPayload } from './auth/request-signature.js';
export { ADMIN_TOKEN_ENV, adminToken, resolveAdminToken, type AdminToken, type ResolvedAdminToken } from './admin/admin-token.js';
export type { CoreAnswer, InsuranceFundView, OperatorCorePort } from './admin/operator-core-port.js';
export { ClientOperatorCore } from './admin/client-operator-core.js';
export { checkOrderFilters, orderFiltersOf, type OrderCheckContext, type OrderFilters, type OrderUnderCheck } from './limits/order-filters.js';
export { DEFAULT_REQUEST_LIMITS, RequestLimiter, type RequestLimits } from './limits/request-limiter.js';
export { capConnections, DEFAULT_SERVER_HARDENING, type ServerHardening } from './limits/server-hardening.js';
export { gatewayServerOptions, registerGatewayGuards, type GatewayGuards, type GatewayGuardsDeps } from './ops/gateway-guards.js';
export type { MetricsSources } from './ops/gateway-metrics.js';
export { ROUTE_LIMITS, routeLimits } from './limits/route-weights.js';

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
