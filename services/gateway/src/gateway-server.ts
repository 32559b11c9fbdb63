/**
 * The gateway's composition: one fastify app on the core's `ExchangeClient`.
 * Registered in this order: the guards (gw-security's: hardened server options,
 * the one form-body parser that keeps the raw body for signatures, the Binance
 * error body for every refusal and 404, request logs with ids, request limits,
 * /health, /ready, /metrics, OpenAPI and the operator API under /v1/admin), then
 * the trading and account API (whose routes authenticate through the guards'
 * `RequestAuthenticator`), then market data (public /fapi routes), the WebSocket
 * streams, the operator dashboard (dashboard/: the page, its state and the
 * operator stream) and the listenKey routes (behind the real `requireCaller`), then any
 * extra plugins. Every route not weighed by the guards gets Binance's weight from
 * the one table (limits/route-weights.ts).
 *
 * One event feed: the market-data model, the metrics and the trading read model
 * subscribe to the client before the first command, so the depth book folded from
 * matching's deltas starts from the same empty book as the core's. The stream hub
 * is the user-event sink, and a user-data session opened with
 * `cancelOnDisconnect=true` cancels its account's orders in every market when it
 * closes.
 *
 * The accounts the gateway serves are the operator's (the registry's): only their
 * orders, fills and user events are folded, so the simulated market's traders in
 * `npm start` cost the read model nothing.
 */
import type { ExchangeClient, journalAcknowledgementHooks } from '@perpcore/exchange';
import type { Logger } from '@perpcore/observability';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { ClientOperatorCore } from './admin/client-operator-core.js';
import type { AdminToken } from './admin/admin-token.js';
import type { OperatorCorePort } from './admin/operator-core-port.js';
import type { AccountRegistry } from './auth/account-registry.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './limits/request-limiter.js';
import { capConnections, type ConnectionCapStats, DEFAULT_SERVER_HARDENING, type ServerHardening } from './limits/server-hardening.js';
import { gatewayServerOptions, registerGatewayGuards, type GatewayGuards } from './ops/gateway-guards.js';
import { callerOf, requireCaller } from './auth/authenticated-request.js';
import { routeLimits } from './limits/route-weights.js';
import { MarketDataModel } from './market-data/market-data-model.js';
import { publicMarketRoutes } from './market-data/public-routes.js';
import type { RetentionLimits } from './read-model/account-orders.js';
import type { OrderIdAllocator } from './read-model/order-id-allocator.js';
import { listenKeyRoutes } from './streams/listen-key-routes.js';
import { type StreamClock, systemStreamClock } from './streams/stream-clock.js';
import { StreamHub } from './streams/stream-hub.js';
import { streamRoutes } from './streams/ws-routes.js';
import { wsApiRoutes } from './ws-api/ws-api-routes.js';
import type { SessionLimits } from './streams/ws-session.js';
import { loadDashboardAssets } from './dashboard/dashboard-assets.js';
import { dashboardRoutes } from './dashboard/dashboard-routes.js';
import { OperatorDashboard } from './dashboard/operator-dashboard.js';
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
  /** Extra plugins, registered last. */
  readonly plugins?: readonly FastifyPluginAsync[];
  readonly retention?: RetentionLimits;
  /** The order id allocator (cluster mode: one lane per gateway process); default a fresh one, lane 0 of 1. */
  readonly ids?: OrderIdAllocator;
  /** Replies wait until their input is durable, 503 after a journal failure (exchange durability/journal-acknowledgement.ts). */
  readonly acknowledgement?: ReturnType<typeof journalAcknowledgementHooks>;
  /** Where user-data events go (default: the stream hub; a test may record them instead). */
  readonly userEvents?: UserEventSink;
  /** The streams' clock (listenKey expiry, pings, markPrice@1s); default the system's. */
  readonly streamClock?: StreamClock;
  /** Per-session WebSocket bounds (send queue, subscriptions, control frames per second). */
  readonly streamLimits?: Partial<SessionLimits>;
  /** The server's clock for signatures and limits (ms since the epoch). */
  readonly nowMs?: () => number;
}

export interface GatewayServer {
  readonly app: FastifyInstance;
  readonly trading: TradingApi;
  readonly guards: GatewayGuards;
  readonly hub: StreamHub;
  readonly marketData: MarketDataModel;
  readonly operatorCore: OperatorCorePort;
  /** The operator dashboard's server side (/dashboard, /v1/admin/stream). */
  readonly dashboard: OperatorDashboard;
  /** Open and refused connections (the caps in limits/server-hardening.ts). */
  readonly connections: ConnectionCapStats;
  /** Listens on `host` (default 127.0.0.1; port 0 picks a free one); resolves to the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { client, logger, registry } = options;
  const hardening = { ...DEFAULT_SERVER_HARDENING, ...options.hardening };
  // the pino logger type is wider than fastify's base logger type: the instance is used through the base type
  const app = Fastify(gatewayServerOptions(hardening, logger)) as unknown as FastifyInstance;
  // on the root before any route, so every route inherits them
  if (options.acknowledgement !== undefined) app.addHook('onRequest', options.acknowledgement.onRequest).addHook('onSend', options.acknowledgement.onSend);
  const operatorCore = new ClientOperatorCore(client);
  const guards = await registerGatewayGuards(app, {
    registry,
    core: operatorCore,
    adminToken: options.adminToken,
    hardening,
    limits: { ...DEFAULT_REQUEST_LIMITS, ...options.limits },
    metricsSources: {
      insuranceFunds: () => client.insuranceFunds().map((f) => ({ fundId: f.fundId, balance: f.balanceUnits / 10 ** (client.markets()[0]?.spec.settleDecimals ?? 0) })),
      // embedded: one synchronous bus, nothing waits in it
      busLag: () => [],
    },
    riskHalted: () => client.halted(),
    // a restarted cluster gateway answers from its read models only once they hold the whole history
    ready: () => client.markets().length > 0 && (client.caughtUp?.() ?? true),
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  });
  app.addHook('onRoute', (route) => {
    if (route.config?.limits !== undefined) return;
    const method = Array.isArray(route.method) ? route.method[0] : route.method;
    route.config = { ...route.config, limits: routeLimits(`${method} ${route.url}`) };
  });
  const marketData = new MarketDataModel(client.markets());
  let streams: StreamHub['market'] | undefined;
  const feed = await client.subscribe({
    onMatchingEvent: (e) => {
      marketData.onMatchingEvent(e);
      guards.metrics.onMatchingEvent(e);
    },
    onRiskEvent: (e) => {
      marketData.onRiskEvent(e);
      guards.metrics.onRiskEvent(e);
      streams?.onRiskEvent(e); // the hub is built below: nothing reaches the feed before the first command
    },
    onOracleEvent: (e) => marketData.onOracleEvent(e),
    onLiquidationEvent: (e) => marketData.onLiquidationEvent(e),
  });
  const hub = new StreamHub({
    model: marketData,
    clock: options.streamClock ?? systemStreamClock,
    ...(options.streamLimits === undefined ? {} : { limits: options.streamLimits }),
    hooks: {
      onSessionClosed: (accountId) => {
        const cancels = client.markets().map((m) => client.cancelAll(accountId, m.spec.symbol));
        Promise.all(cancels).catch((error: unknown) => logger.error({ err: error, accountId }, 'gateway: cancel-on-disconnect failed'));
      },
    },
  });
  streams = hub.market;
  const trading = await createTradingApi({
    client,
    auth: guards.authenticator,
    userEvents: options.userEvents ?? hub,
    ...(options.retention === undefined ? {} : { retention: options.retention }),
    tracksAccount: (accountId) => registry.hasAccount(accountId),
    ...(options.ids === undefined ? {} : { ids: options.ids }),
    onBackgroundError: (error) => logger.error({ err: error }, 'gateway: countdown cancel-all failed'),
  });
  await trading.register(app);
  await app.register(publicMarketRoutes, { model: marketData, venue: client.markets(), nowMs: options.nowMs ?? Date.now });
  await app.register(streamRoutes, { hub });
  await app.register(wsApiRoutes, {
    auth: guards.authenticator,
    limiter: guards.limiter,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
    onFault: (error) => logger.error({ err: error }, 'gateway: WebSocket API request failed'),
  });
  const dashboard = new OperatorDashboard({ client, marketData, metricsRegistry: guards.metrics.registry, token: options.adminToken, clock: options.streamClock ?? systemStreamClock, logger });
  await dashboard.start();
  await app.register(dashboardRoutes, { dashboard, assets: loadDashboardAssets(), token: options.adminToken });
  await app.register(async (scope) => {
    scope.addHook('preHandler', requireCaller(guards.authenticator, { signed: false, permission: 'read' }));
    await scope.register(listenKeyRoutes, { hub, accountOf: (request) => callerOf(request).accountId });
  });
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  const connections = capConnections(app.server, hardening);

  return {
    app,
    trading,
    guards,
    hub,
    marketData,
    operatorCore,
    dashboard,
    connections,
    async listen(port, host = '127.0.0.1') {
      return app.listen({ port, host });
    },
    async close() {
      await trading.close();
      await dashboard.close();
      await feed.close();
      await app.close();
      await options.registry.close?.();
    },
  };
}
