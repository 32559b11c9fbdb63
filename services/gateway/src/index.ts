/**
 * The gateway (ARCHITECTURE.md, the door): the only way into the core, in both modes.
 * Trading API in Binance USDⓈ-M Futures conventions under /fapi, WebSocket streams,
 * and the operator API under /v1/admin, built on the exchange's typed client.
 */
export const GATEWAY_PACKAGE = '@perpcore/gateway';
export { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server.js';
export { keyMapAuthenticator, requireCaller, type ApiKeyRecord, type CallerIdentity, type Permission, type RequestAuthenticator } from './auth/authenticated-request.js';
export { BinanceError, BinanceErrors, binanceError, type BinanceErrorName } from './binance/binance-error.js';
export { OrderIdAllocator } from './read-model/order-id-allocator.js';
