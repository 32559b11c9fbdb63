/**
 * The error handler of the market-data and stream plugins: a `BinanceError` is sent as
 * its `{code, msg}` with its HTTP status; fastify's own client errors (bad query
 * string, body too large, …) become -1102 / their 4xx; anything else is an internal
 * fault: logged and answered -1000 with 500 (never a stack or detail on the wire).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BinanceError, binanceError } from '../binance/binance-error.js';

export function sendBinanceError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof BinanceError) {
    void reply.code(error.httpStatus).send(error.body());
    return;
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    void reply.code(status).send(binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED').body());
    return;
  }
  request.log.error({ err: error }, 'internal error in a market-data route');
  const internal = binanceError('INTERNAL');
  void reply.code(internal.httpStatus).send(internal.body());
}
