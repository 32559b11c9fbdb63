/**
 * Runs one WebSocket API request through the REST route its method names
 * (ws-api-methods.ts), in process (fastify's inject), so every hook of the REST
 * path applies unchanged: the limiter (counted against the client's IP and key),
 * the halt guard, authentication and permissions, the order filters, the error
 * handler, request logs and metrics. The credentials go as a delegated call
 * (auth/delegated-calls.ts), since Binance's WebSocket API signs differently:
 *
 *   payload = every parameter except `signature`, sorted by name, `name=value`
 *             joined with `&`, values as sent (not URL-encoded); `apiKey` is one.
 *
 * `apiKey`, `signature`, `timestamp`, `recvWindow` and `returnRateLimits` belong to
 * the transport; the route gets the rest, so an unknown parameter is refused
 * (-1104) as over REST.
 */
import type { FastifyInstance } from 'fastify';
import { API_KEY_PATTERN } from '../auth/api-credentials.js';
import { DELEGATED_CALL_HEADER } from '../auth/delegated-calls.js';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { type BinanceError, binanceError } from '../binance/binance-error.js';
import type { RequestLimits } from '../limits/request-limiter.js';
import type { RequestId } from '../streams/ws-protocol.js';
import type { WsApiRequest } from './ws-api-frame.js';
import { rateLimitsOf, type WsApiRateLimit } from './ws-api-rate-limits.js';

const TRANSPORT_PARAMS = new Set(['apiKey', 'signature', 'timestamp', 'recvWindow', 'returnRateLimits']);
const AUTH_CHECKED = ['timestamp', 'recvWindow'];

export interface WsApiReply {
  readonly id: RequestId;
  readonly status: number;
  readonly result?: unknown;
  readonly error?: { code: number; msg: string; data?: { serverTime: number; retryAfter: number } };
  readonly rateLimits?: WsApiRateLimit[];
}

export interface WsApiCallContext {
  readonly app: FastifyInstance;
  readonly auth: RequestAuthenticator;
  readonly limits: RequestLimits;
  /** The client's address, so the limiter counts the IP the socket came from. */
  readonly ip: string;
  /** The connection's default (`?returnRateLimits=false` turns it off); a request's `returnRateLimits` overrides it. */
  readonly returnRateLimits: boolean;
  readonly nowMs: () => number;
}

/** Binance's WebSocket API signed text for `params`. */
export function signedPayloadOf(params: ReadonlyMap<string, string>): string {
  const names = [...params.keys()].filter((k) => k !== 'signature').sort();
  return names.map((k) => `${k}=${params.get(k) as string}`).join('&');
}

export function errorReply(id: RequestId, error: BinanceError): WsApiReply {
  return { id, status: error.httpStatus, error: error.body() };
}

export async function runWsApiRequest(ctx: WsApiCallContext, req: WsApiRequest): Promise<WsApiReply> {
  const returnRateLimits = req.params.get('returnRateLimits') ?? String(ctx.returnRateLimits);
  if (returnRateLimits !== 'true' && returnRateLimits !== 'false') return errorReply(req.id, binanceError('INVALID_PARAMETER', "Parameter 'returnRateLimits'."));
  const apiKey = req.params.get('apiKey');
  const checked = new Map<string, string>();
  const query: string[] = [];
  for (const [k, v] of req.params) {
    if (AUTH_CHECKED.includes(k)) checked.set(k, v);
    if (TRANSPORT_PARAMS.has(k)) continue;
    checked.set(k, v);
    query.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  const token = ctx.auth.delegated.park({ apiKey, payload: signedPayloadOf(req.params), signature: req.params.get('signature'), params: checked });
  try {
    const headers: Record<string, string> = { [DELEGATED_CALL_HEADER]: token };
    // the header only tells the limiter whose key to count; authentication reads the parked apiKey, so a malformed one is refused there (-2014)
    if (apiKey !== undefined && API_KEY_PATTERN.test(apiKey)) headers['x-mbx-apikey'] = apiKey;
    const url = query.length === 0 ? req.route.url : `${req.route.url}?${query.join('&')}`;
    const res = await ctx.app.inject({ method: req.route.httpMethod, url, headers, remoteAddress: ctx.ip });
    const rateLimits = returnRateLimits === 'true' ? { rateLimits: rateLimitsOf(res.headers, ctx.limits) } : {};
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return { ...errorReply(req.id, binanceError('INTERNAL')), ...rateLimits };
    }
    if (res.statusCode < 300) return { id: req.id, status: res.statusCode, result: body, ...rateLimits };
    return { id: req.id, status: res.statusCode, error: errorBody(body, res.headers['retry-after'], ctx.nowMs()), ...rateLimits };
  } finally {
    ctx.auth.delegated.drop(token);
  }
}

function errorBody(body: unknown, retryAfter: unknown, nowMs: number): NonNullable<WsApiReply['error']> {
  const b = body as { code?: unknown; msg?: unknown } | null;
  const error = typeof b?.code === 'number' && typeof b.msg === 'string' ? { code: b.code, msg: b.msg } : binanceError('INTERNAL').body();
  const seconds = Number(retryAfter);
  return typeof retryAfter === 'string' && Number.isSafeInteger(seconds) ? { ...error, data: { serverTime: nowMs, retryAfter: nowMs + seconds * 1000 } } : error;
}
