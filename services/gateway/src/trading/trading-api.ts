/**
 * The trading and account side of the gateway as one fastify plugin: the read
 * model and settings fold subscribed to the client's events, the order desk, the
 * dead man's switch, and every signed /fapi trading and account route. While the
 * risk stage is halted, or the client still replays the history (a cluster gateway
 * that just started), every one of these routes answers 503 (-1001) and sends
 * nothing to the core.
 */
import type { ExchangeClient } from '@perpcore/exchange';
import type { LiquidationEventV1 } from '@perpcore/proto';
import type { FastifyInstance } from 'fastify';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { binanceError } from '../binance/binance-error.js';
import { registerAccountRoutes } from '../account/account-routes.js';
import { registerLendingRoutes } from '../lending/lending-routes.js';
import { registerMarginRoutes } from '../margin/margin-routes.js';
import { SpotHistory } from '../margin/spot-history.js';
import { AccountSettings } from '../read-model/account-settings.js';
import type { RetentionLimits } from '../read-model/account-orders.js';
import { OrderIdAllocator } from '../read-model/order-id-allocator.js';
import { OrderReadModel } from '../read-model/order-read-model.js';
import { MarkPrices } from '../read-model/mark-prices.js';
import { registerAlgoOrderRoutes } from './algo-order-routes.js';
import { countdownFor, registerCountdownRoute, type CountdownCancelAll } from './countdown-cancel-all.js';
import { OrderDesk } from './order-desk.js';
import { registerOrderRoutes } from './order-routes.js';
import type { TradingDeps } from './trading-deps.js';
import { UserEventPublisher, type UserEventSink } from './user-events.js';

export interface TradingApiOptions {
  readonly client: ExchangeClient;
  readonly auth: RequestAuthenticator;
  readonly retention?: RetentionLimits;
  /** The accounts whose orders, fills and user events are kept (default: all); see OrderReadModel. */
  readonly tracksAccount?: (accountId: number) => boolean;
  readonly ids?: OrderIdAllocator;
  /** Where user-data events go (the stream hub's publishToAccount); none: not built. */
  readonly userEvents?: UserEventSink;
  /** Where a failure of a timer-driven cancel-all is reported (it has no request to answer). */
  readonly onBackgroundError: (error: unknown) => void;
}

export interface TradingApi {
  readonly deps: TradingDeps;
  readonly countdown: CountdownCancelAll;
  register(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

export async function createTradingApi(options: TradingApiOptions): Promise<TradingApi> {
  const { client } = options;
  const tracks = options.tracksAccount ?? (() => true);
  const model = new OrderReadModel(options.retention, tracks);
  const settings = new AccountSettings(client.markets());
  const marks = new MarkPrices(client.markets());
  const publisher = options.userEvents === undefined ? undefined : new UserEventPublisher(client, options.userEvents, settings, marks, tracks);
  publisher?.attach(model);
  const ids = options.ids ?? new OrderIdAllocator();
  const spotHistory = new SpotHistory(new Map(client.spotPairs().map((p) => [p.symbol, p.quoteUnitsPerLotTick])), tracks);
  const subscription = await client.subscribe({
    onMatchingEvent: (e) => {
      // ids the core already holds (a journal's replay included) are never issued again
      if (e.event === 'accepted' && e.accepted != null) ids.observe(Number(e.accepted.orderId));
      else if (e.event === 'rejected' && e.rejected != null) ids.observe(Number(e.rejected.orderId));
      model.onMatchingEvent(e);
    },
    onOrderCommand: (cmd) => model.onOrderCommand(cmd),
    onRiskEvent: (e) => {
      if (e.event === 'orderRejected' && e.orderRejected != null) ids.observe(Number(e.orderRejected.orderId));
      marks.onRiskEvent(e);
      settings.onRiskEvent(e);
      model.onRiskEvent(e);
      spotHistory.onRiskEvent(e);
      publisher?.onRiskEvent(e);
    },
    ...(publisher === undefined ? {} : { onLiquidationEvent: (e: LiquidationEventV1) => publisher.onLiquidationEvent(e) }),
  });
  const deps: TradingDeps = { client, model, settings, ids, auth: options.auth, marks, spotHistory };
  const desk = new OrderDesk(deps);
  const countdown = countdownFor(desk, options.onBackgroundError);
  return {
    deps,
    countdown,
    async register(app) {
      await app.register(async (scope) => {
        scope.addHook('onRequest', (_request, _reply, done) => {
          // a read model still replaying would miss a retried client order id (placed twice) and answer lists short
          if (client.halted() !== '' || client.caughtUp?.() === false) done(binanceError('DISCONNECTED'));
          else done();
        });
        registerOrderRoutes(scope, deps, desk);
        registerAlgoOrderRoutes(scope, deps, desk);
        registerCountdownRoute(scope, deps, countdown);
        registerAccountRoutes(scope, deps);
        registerLendingRoutes(scope, deps);
        registerMarginRoutes(scope, deps);
      });
    },
    async close() {
      countdown.close();
      await subscription.close();
    },
  };
}
