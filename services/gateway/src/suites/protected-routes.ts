/**
 * Every route that acts for someone, as data, for the authorization suite and the
 * hostile-request fuzz test: how it authenticates, with what permission, and the
 * parameters that would aim it at another account's things. The suites iterate
 * this list, so a route added here is covered by both.
 *
 * The list holds the operator API, every signed /fapi trading and account route,
 * the signed lending routes, the listenKey routes, and the probe routes that echo what authentication hands
 * a route. `victimParams` aim a request at the victim's resting order (by id and
 * by client id), its client order id (reused for a new order) and its listenKey.
 */
import type { Permission } from '../auth/authenticated-request.js';

export interface Victim {
  readonly accountId: number;
  readonly apiKey: string;
  /** The victim's resting BTCUSDT order (the authorization suite places one). */
  readonly orderId?: number;
  readonly clientOrderId?: string;
  readonly listenKey?: string;
}

const BTC = { symbol: 'BTCUSDT' };
const byId = (v: Victim) => ({ ...BTC, orderId: String(v.orderId ?? 1) });
const byClientId = (v: Victim) => ({ ...BTC, origClientOrderId: v.clientOrderId ?? 'x' });
/** A new order of the caller's reusing the victim's client id: it must never answer with the victim's order. Rests away from the victim's bid. */
const sameClientId = (v: Victim) => ({ ...BTC, side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '31000', newClientOrderId: v.clientOrderId ?? 'x' });
const signedRoute = (method: ProtectedRoute['method'], path: string, permission: Permission, victimParams: (v: Victim) => Record<string, string> = () => BTC): ProtectedRoute => ({
  name: `${permission} ${path}`,
  method,
  path,
  auth: 'signed',
  permission,
  victimParams,
});

export interface ProtectedRoute {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path; `:victimAccountId` / `:victimApiKey` are filled from the victim. */
  readonly path: string;
  /** signed: X-MBX-APIKEY + HMAC; apiKey: the key header only (listenKey); admin: bearer token. */
  readonly auth: 'signed' | 'apiKey' | 'admin';
  readonly permission?: Permission;
  /** Parameters naming the victim's resources (an order id, a listen key, an account id). */
  readonly victimParams?: (victim: Victim) => Record<string, string>;
  /** A JSON body for admin routes. */
  readonly adminBody?: (victim: Victim) => unknown;
}

export const PROTECTED_ROUTES: readonly ProtectedRoute[] = [
  signedRoute('POST', '/fapi/v1/order', 'trade', sameClientId),
  signedRoute('GET', '/fapi/v1/order', 'read', byId),
  { ...signedRoute('GET', '/fapi/v1/order', 'read', byClientId), name: 'read /fapi/v1/order by origClientOrderId' },
  signedRoute('PUT', '/fapi/v1/order', 'trade', (v) => ({ ...byId(v), side: 'BUY', quantity: '0.002', price: '29400' })),
  signedRoute('DELETE', '/fapi/v1/order', 'trade', byId),
  { ...signedRoute('DELETE', '/fapi/v1/order', 'trade', byClientId), name: 'trade /fapi/v1/order by origClientOrderId' },
  signedRoute('POST', '/fapi/v1/batchOrders', 'trade', (v) => ({ batchOrders: JSON.stringify([sameClientId(v)]) })),
  signedRoute('GET', '/fapi/v1/openOrders', 'read'),
  signedRoute('GET', '/fapi/v1/openOrder', 'read', byId),
  signedRoute('DELETE', '/fapi/v1/allOpenOrders', 'trade'),
  signedRoute('GET', '/fapi/v1/allOrders', 'read'),
  signedRoute('GET', '/fapi/v1/userTrades', 'read'),
  signedRoute('POST', '/fapi/v1/countdownCancelAll', 'trade', () => ({ ...BTC, countdownTime: '0' })),
  signedRoute('POST', '/fapi/v1/leverage', 'trade', () => ({ ...BTC, leverage: '10' })),
  signedRoute('POST', '/fapi/v1/marginType', 'trade', () => ({ ...BTC, marginType: 'ISOLATED' })),
  signedRoute('POST', '/fapi/v1/positionMargin', 'trade', () => ({ ...BTC, amount: '1', type: '1' })),
  signedRoute('GET', '/fapi/v1/leverageBracket', 'read'),
  signedRoute('GET', '/fapi/v2/account', 'read', () => ({})),
  signedRoute('GET', '/fapi/v3/account', 'read', () => ({})),
  signedRoute('GET', '/fapi/v2/balance', 'read', () => ({})),
  signedRoute('GET', '/fapi/v3/balance', 'read', () => ({})),
  signedRoute('GET', '/fapi/v2/positionRisk', 'read', () => ({})),
  signedRoute('GET', '/fapi/v3/positionRisk', 'read', () => ({})),
  signedRoute('POST', '/fapi/v1/algoOrder', 'trade', (v) => ({ ...BTC, algoType: 'CONDITIONAL', side: 'SELL', type: 'STOP_MARKET', quantity: '0.001', triggerPrice: '28000', clientAlgoId: v.clientOrderId ?? 'x' })),
  signedRoute('GET', '/fapi/v1/algoOrder', 'read', (v) => ({ algoId: String(v.orderId ?? 1) })),
  signedRoute('DELETE', '/fapi/v1/algoOrder', 'trade', (v) => ({ algoId: String(v.orderId ?? 1) })),
  signedRoute('GET', '/fapi/v1/openAlgoOrders', 'read'),
  signedRoute('DELETE', '/fapi/v1/algoOpenOrders', 'trade'),
  // lending: loans are keyed by the caller's own coin pair; a liquidation call names its borrower on purpose (aimed at B here, who has no pool position)
  signedRoute('POST', '/sapi/v2/loan/flexible/borrow', 'trade', () => ({ loanCoin: 'USDT', loanAmount: '10', collateralCoin: 'BTC', collateralAmount: '0.01' })),
  signedRoute('GET', '/sapi/v2/loan/flexible/ongoing/orders', 'read', () => ({})),
  signedRoute('POST', '/sapi/v2/loan/flexible/repay', 'trade', () => ({ loanCoin: 'USDT', collateralCoin: 'BTC', repayAmount: '1' })),
  signedRoute('POST', '/sapi/v2/loan/flexible/adjust/ltv', 'trade', () => ({ loanCoin: 'USDT', collateralCoin: 'BTC', adjustmentAmount: '0.01', direction: 'ADDITIONAL' })),
  signedRoute('POST', '/v1/lending/pool/supply', 'trade', () => ({ asset: 'USDT', amount: '1' })),
  signedRoute('POST', '/v1/lending/pool/withdraw', 'trade', () => ({ asset: 'USDT', amount: '1' })),
  signedRoute('POST', '/v1/lending/pool/borrow', 'trade', () => ({ asset: 'USDT', amount: '1' })),
  signedRoute('POST', '/v1/lending/pool/repay', 'trade', () => ({ asset: 'USDT', amount: '1' })),
  signedRoute('GET', '/v1/lending/pool/position', 'read', () => ({})),
  signedRoute('GET', '/v1/lending/liquidation-candidates', 'read', () => ({})),
  signedRoute('POST', '/v1/lending/liquidation-call', 'trade', (v) => ({ borrowerAccountId: String(v.accountId), debtAsset: 'USDT', collateralAsset: 'BTC', debtToCover: '1', positionSeq: '1' })),
  { name: 'listenKey create', method: 'POST', path: '/fapi/v1/listenKey', auth: 'apiKey', permission: 'read', victimParams: (v) => ({ listenKey: v.listenKey ?? 'x' }) },
  { name: 'listenKey keep-alive', method: 'PUT', path: '/fapi/v1/listenKey', auth: 'apiKey', permission: 'read', victimParams: (v) => ({ listenKey: v.listenKey ?? 'x' }) },
  { name: 'listenKey close', method: 'DELETE', path: '/fapi/v1/listenKey', auth: 'apiKey', permission: 'read', victimParams: (v) => ({ listenKey: v.listenKey ?? 'x' }) },
  { name: 'signed read (probe for GET /fapi/v1/openOrders, account, …)', method: 'GET', path: '/fapi/v1/probe', auth: 'signed', permission: 'read', victimParams: (v) => ({ accountId: String(v.accountId), symbol: 'BTCUSDT' }) },
  { name: 'signed trade (probe for POST /fapi/v1/order, …)', method: 'POST', path: '/fapi/v1/probe', auth: 'signed', permission: 'trade', victimParams: (v) => ({ accountId: String(v.accountId), symbol: 'BTCUSDT', side: 'BUY' }) },
  { name: 'key-only (probe for POST /fapi/v1/listenKey)', method: 'POST', path: '/fapi/v1/listenKeyProbe', auth: 'apiKey', permission: 'read', victimParams: (v) => ({ accountId: String(v.accountId) }) },
  { name: 'admin: create account', method: 'POST', path: '/v1/admin/accounts', auth: 'admin', adminBody: () => ({}) },
  { name: "admin: an account's keys", method: 'GET', path: '/v1/admin/accounts/:victimAccountId', auth: 'admin' },
  { name: 'admin: create API key', method: 'POST', path: '/v1/admin/api-keys', auth: 'admin', adminBody: (v) => ({ accountId: v.accountId, permissions: ['read', 'trade'] }) },
  { name: 'admin: revoke API key', method: 'DELETE', path: '/v1/admin/api-keys/:victimApiKey', auth: 'admin' },
  { name: 'admin: deposit', method: 'POST', path: '/v1/admin/deposits', auth: 'admin', adminBody: (v) => ({ accountId: v.accountId, asset: 'USDT', amount: '1000' }) },
  { name: 'admin: withdrawal', method: 'POST', path: '/v1/admin/withdrawals', auth: 'admin', adminBody: (v) => ({ accountId: v.accountId, asset: 'USDT', amount: '1' }) },
  { name: 'admin: halt market', method: 'POST', path: '/v1/admin/markets/BTCUSDT/halt', auth: 'admin', adminBody: () => ({ reason: 'x' }) },
  { name: 'admin: resume market', method: 'POST', path: '/v1/admin/markets/BTCUSDT/resume', auth: 'admin' },
  { name: 'admin: insurance funds', method: 'GET', path: '/v1/admin/insurance-funds', auth: 'admin' },
  { name: 'admin: kill switch', method: 'POST', path: '/v1/admin/accounts/:victimAccountId/kill-switch', auth: 'admin', adminBody: () => ({ engaged: true }) },
  { name: 'admin: dashboard state', method: 'GET', path: '/v1/admin/dashboard/state', auth: 'admin' },
];

export function routePath(route: ProtectedRoute, victim: Victim): string {
  return route.path.replace(':victimAccountId', String(victim.accountId)).replace(':victimApiKey', victim.apiKey);
}
