/**
 * What the trading and account routes are built on: the core's typed client, the
 * read model folded from its events, the order-id allocator and the caller check.
 */
import type { SpotHistory } from '../margin/spot-history.js';
import type { MarketSpec } from '@perpcore/domain';
import type { ExchangeClient } from '@perpcore/exchange';
import type { VenueMarket } from '@perpcore/markets';
import type { FastifyRequest } from 'fastify';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { binanceError } from '../binance/binance-error.js';
import type { AccountSettings } from '../read-model/account-settings.js';
import type { OrderIdAllocator } from '../read-model/order-id-allocator.js';
import type { OrderReadModel } from '../read-model/order-read-model.js';
import type { MarkPrices } from '../read-model/mark-prices.js';

export interface TradingDeps {
  readonly client: ExchangeClient;
  readonly model: OrderReadModel;
  readonly settings: AccountSettings;
  readonly ids: OrderIdAllocator;
  readonly auth: RequestAuthenticator;
  readonly marks: MarkPrices;
  /** Spot-margin orders, trades and interest (the SAPI margin history routes). */
  readonly spotHistory: SpotHistory;
}

/** The listed market for a Binance symbol (the core lists markets under the same symbols). */
export function venueMarket(client: ExchangeClient, symbol: string): VenueMarket {
  const m = client.markets().find((v) => v.spec.symbol === symbol);
  if (m === undefined) throw binanceError('BAD_SYMBOL');
  return m;
}

export function marketSpec(client: ExchangeClient, symbol: string): MarketSpec {
  return venueMarket(client, symbol).spec;
}

/** The authenticated account (set by requireCaller's preHandler). */
export function callerAccount(request: FastifyRequest): number {
  const caller = request.caller;
  if (caller === undefined) throw binanceError('UNAUTHORIZED');
  return caller.accountId;
}
