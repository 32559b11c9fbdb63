/**
 * The server-wide error handler for the Binance side (/fapi and the public
 * routes): every refusal is `{code, msg}` from the Binance catalogue with its
 * HTTP status. Fastify's own refusals are mapped, so a malformed request is never
 * a 5xx: bad or oversized bodies, unsupported content types, schema failures,
 * timeouts, and a core that did not answer in time (cluster mode: 408 -1007, send
 * status unknown). Anything else is an internal fault: 500 -1000, logged at error with
 * the request id, and reported to `onInternalFault` (the hardening issue's halt).
 * Unknown paths answer 404 in the same shape.
 */
import { CoreTimeoutError } from '@perpcore/exchange';
import type { FastifyError, FastifyInstance } from 'fastify';
import { BinanceError, binanceError, type BinanceErrorName } from '../binance/binance-error.js';

export interface ErrorHandlerDeps {
  readonly onInternalFault?: (error: unknown) => void;
}

const FASTIFY_CODES: Record<string, BinanceErrorName> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED',
  FST_ERR_VALIDATION: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED',
  FST_ERR_BAD_URL: 'ILLEGAL_CHARS',
  FST_ERR_ASYNC_CONSTRAINT: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED',
};

export function toBinanceError(error: unknown): BinanceError | undefined {
  if (error instanceof BinanceError) return error;
  // cluster mode: the stages did not answer in time; the command may still apply (Binance -1007)
  if (error instanceof CoreTimeoutError) return binanceError('TIMEOUT');
  const e = error as FastifyError;
  const mapped = typeof e?.code === 'string' ? FASTIFY_CODES[e.code] : undefined;
  if (mapped !== undefined) return binanceError(mapped);
  // body-parser errors (bad JSON: SyntaxError with a 400), socket timeouts and the like
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return e.statusCode === 413 ? binanceError('PAYLOAD_TOO_LARGE') : e.statusCode === 408 ? binanceError('REQUEST_TIMEOUT') : binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED');
  }
  return undefined;
}

export function registerGatewayErrorHandler(app: FastifyInstance, deps: ErrorHandlerDeps = {}): void {
  app.setErrorHandler((error, request, reply) => {
    const refusal = toBinanceError(error);
    if (refusal !== undefined) return reply.status(refusal.httpStatus).send(refusal.body());
    request.log.error({ reqId: request.id, err: error }, 'internal fault');
    deps.onInternalFault?.(error);
    const internal = binanceError('INTERNAL');
    return reply.status(internal.httpStatus).send(internal.body());
  });
  app.setNotFoundHandler((_request, reply) => {
    const e = binanceError('NOT_FOUND');
    return reply.status(e.httpStatus).send(e.body());
  });
}
