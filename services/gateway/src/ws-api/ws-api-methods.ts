/**
 * The Binance USDⓈ-M Futures WebSocket API methods the gateway answers, each the
 * REST route it runs (ws-api-call.ts): same weights, permissions, filters, errors
 * and result bodies, because it is the same route.
 */
export interface WsApiRoute {
  readonly httpMethod: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
}

export const WS_API_METHODS: Readonly<Record<string, WsApiRoute>> = {
  'order.place': { httpMethod: 'POST', url: '/fapi/v1/order' },
  'order.modify': { httpMethod: 'PUT', url: '/fapi/v1/order' },
  'order.cancel': { httpMethod: 'DELETE', url: '/fapi/v1/order' },
  'order.status': { httpMethod: 'GET', url: '/fapi/v1/order' },
  'openOrders.status': { httpMethod: 'GET', url: '/fapi/v1/openOrders' },
  'account.status': { httpMethod: 'GET', url: '/fapi/v2/account' },
  'v2/account.status': { httpMethod: 'GET', url: '/fapi/v3/account' },
  'account.balance': { httpMethod: 'GET', url: '/fapi/v2/balance' },
  'v2/account.balance': { httpMethod: 'GET', url: '/fapi/v3/balance' },
  'account.position': { httpMethod: 'GET', url: '/fapi/v2/positionRisk' },
  'v2/account.position': { httpMethod: 'GET', url: '/fapi/v3/positionRisk' },
  'userDataStream.start': { httpMethod: 'POST', url: '/fapi/v1/listenKey' },
  'userDataStream.ping': { httpMethod: 'PUT', url: '/fapi/v1/listenKey' },
  'userDataStream.stop': { httpMethod: 'DELETE', url: '/fapi/v1/listenKey' },
};

export function wsApiRoute(method: string): WsApiRoute | undefined {
  return Object.hasOwn(WS_API_METHODS, method) ? WS_API_METHODS[method] : undefined;
}
