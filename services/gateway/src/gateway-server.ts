/**
 * The gateway's composition: one fastify app on the core's `ExchangeClient`.
 * It owns what every route shares (the form-body parser that keeps the raw body
 * for signatures, the Binance error body for every refusal, 404s) and registers
 * the trading and account API and, when given, the other parts of the gateway as
 * plugins (operator API, limits, operations, market data, streams), in that order.
 *
 * Errors: a `BinanceError` is sent as `{code, msg}` with its status; fastify's own
 * 4xx (malformed body, too large, unsupported content type) become -1102 / -1020
 * with the same status; anything else is an internal fault: 500 -1000, logged
 * with its stack, never with request secrets.
 */
import type { ExchangeClient, journalAcknowledgementHooks } from '@perpcore/exchange';
import type { Logger } from '@perpcore/observability';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { RequestAuthenticator } from './auth/authenticated-request.js';
import { BinanceError, binanceError } from './binance/binance-error.js';
import type { RetentionLimits } from './read-model/account-orders.js';
import { createTradingApi, type TradingApi } from './trading/trading-api.js';
import type { UserEventSink } from './trading/user-events.js';

export interface GatewayServerOptions {
  readonly client: ExchangeClient;
  readonly auth: RequestAuthenticator;
  readonly logger: Logger;
  /** The other engineers' plugins (admin, limits, ops, market data, streams), registered after the trading API. */
  readonly plugins?: readonly FastifyPluginAsync[];
  readonly retention?: RetentionLimits;
  /** The accounts the gateway serves (with API keys): only theirs are folded (default: all). */
  readonly tracksAccount?: (accountId: number) => boolean;
  readonly bodyLimitBytes?: number;
  /** Replies wait until their input is durable, 503 after a journal failure (exchange durability/journal-acknowledgement.ts). */
  readonly acknowledgement?: ReturnType<typeof journalAcknowledgementHooks>;
  /** The stream hub's user-data side (gw-streams' UserStreamSink); without it no user events are built. */
  readonly userEvents?: UserEventSink;
}

export interface GatewayServer {
  readonly app: FastifyInstance;
  readonly trading: TradingApi;
  /** Listens on `host` (default 127.0.0.1; port 0 picks a free one); resolves to the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { logger } = options;
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 16_384 });
  // on the root before any route, so every route inherits them
  if (options.acknowledgement !== undefined) app.addHook('onRequest', options.acknowledgement.onRequest).addHook('onSend', options.acknowledgement.onSend);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    const raw = body as string;
    request.rawBody = raw;
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      const had = out[k];
      out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
    done(null, out);
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof BinanceError) return reply.status(error.httpStatus).send(error.body());
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const e = status === 415 ? binanceError('UNSUPPORTED_OPERATION') : binanceError('MANDATORY_PARAM_EMPTY_OR_MALFORMED');
      return reply.status(status).send(e.body());
    }
    logger.error({ err: error, method: request.method, route: request.routeOptions.url }, 'gateway: internal error');
    return reply.status(500).send(binanceError('INTERNAL').body());
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ code: -1020, msg: 'This operation is not supported.' }));

  const trading = await createTradingApi({
    client: options.client,
    auth: options.auth,
    ...(options.retention === undefined ? {} : { retention: options.retention }),
    ...(options.userEvents === undefined ? {} : { userEvents: options.userEvents }),
    ...(options.tracksAccount === undefined ? {} : { tracksAccount: options.tracksAccount }),
    onBackgroundError: (error) => logger.error({ err: error }, 'gateway: countdown cancel-all failed'),
  });
  await trading.register(app);
  for (const plugin of options.plugins ?? []) await app.register(plugin);

  return {
    app,
    trading,
    async listen(port, host = '127.0.0.1') {
      return app.listen({ port, host });
    },
    async close() {
      await trading.close();
      await app.close();
    },
  };
}
