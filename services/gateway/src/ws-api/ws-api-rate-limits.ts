/**
 * A WebSocket API reply's `rateLimits` (Binance: the limits the request counted
 * against, with their counts after it), read from the REST route's own limiter
 * headers: `X-MBX-USED-WEIGHT-1M` on every answer, `X-MBX-ORDER-COUNT-10S` / `-1M`
 * on order routes.
 */
import type { RequestLimits } from '../limits/request-limiter.js';

export interface WsApiRateLimit {
  readonly rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS';
  readonly interval: 'SECOND' | 'MINUTE';
  readonly intervalNum: number;
  readonly limit: number;
  readonly count: number;
}

type Headers = Readonly<Record<string, string | string[] | number | undefined>>;

function count(headers: Headers, name: string): number | undefined {
  const v = headers[name];
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

export function rateLimitsOf(headers: Headers, limits: RequestLimits): WsApiRateLimit[] {
  const out: WsApiRateLimit[] = [];
  const weight = count(headers, 'x-mbx-used-weight-1m');
  // the header counts the larger of the IP's and the key's use, so the smaller limit is the one it meets first
  if (weight !== undefined) out.push({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: Math.min(limits.weightPerMinutePerIp, limits.weightPerMinutePerKey), count: weight });
  const orders10s = count(headers, 'x-mbx-order-count-10s');
  if (orders10s !== undefined) out.push({ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10sPerKey, count: orders10s });
  const orders1m = count(headers, 'x-mbx-order-count-1m');
  if (orders1m !== undefined) out.push({ rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: limits.ordersPerMinutePerKey, count: orders1m });
  return out;
}
