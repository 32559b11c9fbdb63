/**
 * Every route that acts for someone, as data, for the authorization suite and the
 * hostile-request fuzz test: how it authenticates, with what permission, and the
 * parameters that would aim it at another account's things. The suites iterate
 * this list, so a route added here is covered by both.
 *
 * Until the merge the list holds the operator API and the probe routes standing
 * in for the signed families; the lead appends gw-trading's /fapi routes
 * (order, batchOrders, openOrders, openOrder, allOpenOrders, allOrders,
 * userTrades, countdownCancelAll, leverage, marginType, positionMargin,
 * leverageBracket, v2|v3 account, balance, positionRisk, algoOrder,
 * openAlgoOrders) and gw-streams' listenKey routes, with their `victimParams`.
 */
import type { Permission } from '../auth/authenticated-request.js';

export interface Victim {
  readonly accountId: number;
  readonly apiKey: string;
}

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
];

export function routePath(route: ProtectedRoute, victim: Victim): string {
  return route.path.replace(':victimAccountId', String(victim.accountId)).replace(':victimApiKey', victim.apiKey);
}
