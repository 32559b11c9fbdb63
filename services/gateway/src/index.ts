/**
 * The gateway (ARCHITECTURE.md, the door): the only way into the core, in both modes.
 * Trading API in Binance USDⓈ-M Futures conventions under /fapi, WebSocket streams,
 * and the operator API under /v1/admin, built on the exchange's typed client.
 */
export const GATEWAY_PACKAGE = '@perpcore/gateway';
export { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server.js';
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
