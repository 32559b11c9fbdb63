/**
 * Request logs: one pino line per answered request, with the request id, method,
 * route template, status and time — and nothing a caller sent. The URL is logged
 * without its query (a signed GET carries its `signature` there), no header is
 * logged (X-MBX-APIKEY, Authorization), no body. Fastify's own request logging is
 * off, because its default line holds the full URL.
 *
 * Request ids: a caller's `X-Request-Id` (8–64 × [A-Za-z0-9._-]) is kept, so a
 * trace spans systems; otherwise one is generated. Every answer carries it back.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export function requestId(raw: IncomingMessage): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Fastify constructor options for ids and logging (with `loggerInstance` set by the caller). */
export function requestLoggingOptions() {
  return {
    genReqId: requestId,
    requestIdHeader: false as const,
    logController: new LogController({ disableRequestLogging: true }),
  };
}

export function pathOf(url: string): string {
  const at = url.indexOf('?');
  return (at < 0 ? url : url.slice(0, at)).slice(0, 200);
}

/** pino's level check (the line is not even built when its level is off); a logger without one logs everything. */
function levelEnabled(log: FastifyBaseLogger, level: 'info' | 'error'): boolean {
  const pinoLike = log as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };
  return pinoLike.isLevelEnabled === undefined || pinoLike.isLevelEnabled(level);
}

export function registerRequestLogging(app: FastifyInstance): void {
  // callback hooks: an async hook costs a promise and a microtask on every request
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : 'info';
    if (levelEnabled(request.log, level)) {
      const line = { reqId: request.id, method: request.method, route: request.routeOptions.url ?? pathOf(request.url), status, ms: Math.round(reply.elapsedTime * 1000) / 1000, ip: request.ip };
      if (level === 'error') request.log.error(line, 'request failed');
      else request.log.info(line, 'request');
    }
    done();
  });
}
