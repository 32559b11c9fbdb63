/**
 * `/ws-fapi/v1`: Binance USDⓈ-M Futures' WebSocket API (order entry and account
 * queries over one socket; ccxt binanceusdm's `ws-api` URL). Requests and replies
 * in Binance's shape:
 *
 *   → {"id": "1", "method": "order.place", "params": {"symbol": …, "apiKey": …, "timestamp": …, "signature": …}}
 *   ← {"id": "1", "status": 200, "result": {…the REST body…}, "rateLimits": [{…}]}
 *   ← {"id": "1", "status": 400, "error": {"code": -2010, "msg": "…"}, "rateLimits": [{…}]}
 *
 * Each method runs its REST route (ws-api-call.ts). Query flag: `returnRateLimits=false`
 * leaves `rateLimits` out of every reply unless a request asks for it.
 * Needs @fastify/websocket on the root instance (streamRoutes registers it).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import type { RequestLimiter } from '../limits/request-limiter.js';
import { DEFAULT_WS_API_SESSION_LIMITS, WsApiSession, type WsApiSessionLimits } from './ws-api-session.js';

export const WS_API_PATH = '/ws-fapi/v1';

export interface WsApiRoutesOptions {
  readonly auth: RequestAuthenticator;
  readonly limiter: RequestLimiter;
  readonly sessionLimits?: Partial<WsApiSessionLimits>;
  readonly nowMs?: () => number;
  readonly onFault: (error: unknown) => void;
}

export const wsApiRoutes: FastifyPluginAsync<WsApiRoutesOptions> = async (app: FastifyInstance, opts: WsApiRoutesOptions) => {
  const limits = { ...DEFAULT_WS_API_SESSION_LIMITS, ...opts.sessionLimits };
  const nowMs = opts.nowMs ?? Date.now;
  app.get(WS_API_PATH, { websocket: true }, (socket, request) => {
    const returnRateLimits = new URL(request.url, 'http://localhost').searchParams.get('returnRateLimits') !== 'false';
    const ctx = { app, auth: opts.auth, limits: opts.limiter.limits, ip: request.ip, returnRateLimits, nowMs };
    new WsApiSession(socket, ctx, opts.limiter, limits, opts.onFault);
  });
};
