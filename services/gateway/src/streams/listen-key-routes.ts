/**
 * `POST / PUT / DELETE /fapi/v1/listenKey` (user-data stream keys). Not signed: only
 * the `X-MBX-APIKEY` header (BINANCE-COMPAT §2). Who the caller is comes from
 * `accountOf(request)`: until the merge a stand-in over an injected
 * `(apiKey) => accountId | undefined` (`apiKeyAccount`); the composition passes
 * gw-security's `requireCaller(..., {signed:false, permission:'read'})` result instead.
 * Refusals: no key -2014 (401), unknown key -2015 (401), PUT without a live key -1125.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { binanceError } from '../binance/binance-error.js';
import { sendBinanceError } from '../market-data/binance-error-handler.js';
import type { StreamHub } from './stream-hub.js';

export interface ListenKeyRoutesOptions {
  hub: StreamHub;
  /** The caller's account; throws a BinanceError when the request carries no valid credential. */
  accountOf: (request: FastifyRequest) => number;
}

const API_KEY_FORMAT = /^[A-Za-z0-9]{1,128}$/;

/** The pre-merge stand-in: X-MBX-APIKEY looked up through `lookup`. */
export function apiKeyAccount(lookup: (apiKey: string) => number | undefined): (request: FastifyRequest) => number {
  return (request) => {
    const key = request.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || !API_KEY_FORMAT.test(key)) throw binanceError('BAD_API_KEY_FMT');
    const accountId = lookup(key);
    if (accountId === undefined) throw binanceError('REJECTED_MBX_KEY');
    return accountId;
  };
}

export const listenKeyRoutes: FastifyPluginAsync<ListenKeyRoutesOptions> = async (app: FastifyInstance, opts: ListenKeyRoutesOptions) => {
  const { hub } = opts;
  app.setErrorHandler(sendBinanceError);
  // ccxt sends these with a form content type and an empty body; accept that without
  // requiring the composition to have registered a form parser first
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4_096 }, (_req, _body, done) => done(null, {}));
  }
  const config = { binanceWeight: () => 1 };
  app.post('/fapi/v1/listenKey', { config }, async (request) => ({ listenKey: hub.listenKeys.create(opts.accountOf(request)) }));
  app.put('/fapi/v1/listenKey', { config }, async (request) => {
    const accountId = opts.accountOf(request);
    if (!hub.listenKeys.keepAlive(accountId)) throw binanceError('INVALID_LISTEN_KEY');
    return { listenKey: hub.listenKeys.keyOf(accountId) };
  });
  app.delete('/fapi/v1/listenKey', { config }, async (request) => {
    hub.closeListenKey(opts.accountOf(request));
    return {};
  });
};
