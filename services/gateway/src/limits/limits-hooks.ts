/**
 * The request limiter on the server: an `onRequest` hook (before any parsing, so
 * a refused request costs no body read) that reads the route's weight from its
 * config (`config: { limits: { weight, order } }`; default weight 1; weight 0
 * exempts a route, e.g. /health), admits or refuses, and sets Binance's headers:
 * `X-MBX-USED-WEIGHT-1M` on every answer, `X-MBX-ORDER-COUNT-10S` / `-1M` on
 * order routes, `Retry-After` on 429 (-1003 weight, -1015 orders) and 418 (ban).
 *
 * The key counted is the `X-MBX-APIKEY` header when it names a live key; any
 * other value counts only against the IP.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountRegistry } from '../auth/account-registry.js';
import { binanceError } from '../binance/binance-error.js';
import type { RequestLimiter } from './request-limiter.js';

export interface RouteLimitConfig {
  /** Request weight (Binance's per-endpoint cost), or a function of the query (route-weights.ts); 0 exempts the route. */
  readonly weight?: number | ((query: Readonly<Record<string, unknown>>) => number);
  /** The route places orders: counted against the key's order rate. */
  readonly order?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    limits?: RouteLimitConfig;
  }
}

export interface RequestLimitsDeps {
  readonly limiter: RequestLimiter;
  readonly registry: AccountRegistry;
  readonly nowMs?: () => number;
}

export function registerRequestLimits(app: FastifyInstance, deps: RequestLimitsDeps): void {
  const { limiter, registry } = deps;
  const nowMs = deps.nowMs ?? Date.now;
  const admit = (request: FastifyRequest, reply: FastifyReply): void => {
    const config = request.routeOptions.config?.limits;
    const configured = config?.weight ?? 1;
    const weight = typeof configured === 'number' ? configured : configured((request.query ?? {}) as Record<string, unknown>);
    if (weight === 0) return;
    const header = request.headers['x-mbx-apikey'];
    const apiKey = typeof header === 'string' && registry.keyOf(header) !== undefined ? header : undefined;
    const isOrder = config?.order === true;
    const d = limiter.admit(nowMs(), request.ip, apiKey, weight, isOrder);
    reply.header('X-MBX-USED-WEIGHT-1M', String(d.usedWeight1m));
    if (isOrder && apiKey !== undefined) {
      reply.header('X-MBX-ORDER-COUNT-10S', String(d.orderCount10s));
      reply.header('X-MBX-ORDER-COUNT-1M', String(d.orderCount1m));
    }
    if (d.verdict === 'ok') return;
    reply.header('Retry-After', String(d.retryAfterS));
    if (d.verdict === 'banned') throw binanceError('IP_BANNED', `Banned for ${d.retryAfterS} s.`);
    throw binanceError(d.verdict === 'orders' ? 'TOO_MANY_ORDERS' : 'TOO_MANY_REQUESTS');
  };
  // a callback hook: an async one costs a promise and a microtask on every request
  app.addHook('onRequest', (request, reply, done) => {
    try {
      admit(request, reply);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });
}
