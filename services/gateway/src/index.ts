/**
 * The gateway (ARCHITECTURE.md, the door): the only way into the core, in both modes.
 * Trading API in Binance USDⓈ-M Futures conventions under /fapi, WebSocket streams,
 * and the operator API under /v1/admin, built on the exchange's typed client.
 */
export const GATEWAY_PACKAGE = '@perpcore/gateway';
