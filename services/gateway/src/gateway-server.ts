/**
 * The gateway's composition: one fastify app on the core's `ExchangeClient`.
 * Registered in this order: the guards (gw-security's: hardened server options,
 * the one form-body parser that keeps the raw body for signatures, the Binance
 * error body for every refusal and 404, request logs with ids, request limits,
 * /health, /ready, /metrics, OpenAPI and the operator API under /v1/admin), then
 * the trading and account API (whose routes authenticate through the guards'
 * `RequestAuthenticator`), then the other parts as plugins (market data, streams).
 *
 * The accounts the gateway serves are the operator's (the registry's): only their
 * orders, fills and user events are folded, so the simulated market's traders in
 * `npm start` cost the read model nothing.
 */
import type { ExchangeClient } from '@perpcore/exchange';
import type { Logger } from '@perpcore/observability';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { ClientOperatorCore } from './admin/client-operator-core.js';
import type { AdminToken } from './admin/admin-token.js';
import type { AccountRegistry } from './auth/account-registry.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './limits/request-limiter.js';
import { capConnections, DEFAULT_SERVER_HARDENING, type ServerHardening } from './limits/server-hardening.js';
import { gatewayServerOptions, registerGatewayGuards, type GatewayGuards } from './ops/gateway-guards.js';
import type { RetentionLimits } from './read-model/account-orders.js';
import { createTradingApi, type TradingApi } from './trading/trading-api.js';
import type { UserEventSink } from './trading/user-events.js';

export interface GatewayServerOptions {
  readonly client: ExchangeClient;
  readonly logger: Logger;
  /** The operator's accounts and API keys (the authenticator reads it per request). */
  readonly registry: AccountRegistry;
  readonly adminToken: AdminToken;
  readonly hardening?: Partial<ServerHardening>;
  readonly limits?: Partial<RequestLimits>;
  /** The other parts' plugins (market data, streams), registered after the trading API. */
  readonly plugins?: readonly FastifyPluginAsync[];
  readonly retention?: RetentionLimits;
  /** The stream hub's user-data side (gw-streams' UserStreamSink); without it no user events are built. */
  readonly userEvents?: UserEventSink;
  /** The server's clock for signatures and limits (ms since the epoch). */
  readonly nowMs?: () => number;
}

export interface GatewayServer {
  readonly app: FastifyInstance;
  readonly trading: TradingApi;
  readonly guards: GatewayGuards;
  /** Listens on `host` (default 127.0.0.1; port 0 picks a free one); resolves to the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { client, logger, registry } = options;
  const hardening = { ...DEFAULT_SERVER_HARDENING, ...options.hardening };
  // the pino logger type is wider than fastify's base logger type: the instance is used through the base type
  const app = Fastify(gatewayServerOptions(hardening, logger)) as unknown as FastifyInstance;
  const guards = await registerGatewayGuards(app, {
    registry,
    core: new ClientOperatorCore(client),
    adminToken: options.adminToken,
    hardening,
    limits: { ...DEFAULT_REQUEST_LIMITS, ...options.limits },
    metricsSources: {
      insuranceFunds: () => client.insuranceFunds().map((f) => ({ fundId: f.fundId, balance: f.balanceUnits / 10 ** (client.markets()[0]?.spec.settleDecimals ?? 0) })),
      // embedded: one synchronous bus, nothing waits in it
      busLag: () => [],
    },
    riskHalted: () => client.halted(),
    ready: () => client.markets().length > 0,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  });
  const metricsFeed = await client.subscribe({
    onMatchingEvent: (e) => guards.metrics.onMatchingEvent(e),
    onRiskEvent: (e) => guards.metrics.onRiskEvent(e),
  });
  const trading = await createTradingApi({
    client,
    auth: guards.authenticator,
    ...(options.retention === undefined ? {} : { retention: options.retention }),
    ...(options.userEvents === undefined ? {} : { userEvents: options.userEvents }),
    tracksAccount: (accountId) => registry.hasAccount(accountId),
    onBackgroundError: (error) => logger.error({ err: error }, 'gateway: countdown cancel-all failed'),
  });
  await trading.register(app);
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  capConnections(app.server, hardening);

  return {
    app,
    trading,
    guards,
    async listen(port, host = '127.0.0.1') {
      return app.listen({ port, host });
    },
    async close() {
      await trading.close();
      await metricsFeed.close();
      await app.close();
    },
  };
}
