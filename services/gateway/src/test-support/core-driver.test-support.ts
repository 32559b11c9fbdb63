/**
 * A real core for the gateway's tests: the embedded exchange (every stage over the
 * in-process bus, the simulated market makers and takers) with the market-data read
 * model fed from its topics, plus helpers that publish hand-written orders through the
 * same pipeline. Not reachable from the package entry.
 */
import { Topics } from '@perpcore/bus';
import { OrderType, priceToTicks, qtyToLots, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import { EmbeddedExchange } from '@perpcore/exchange';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, sideToWire, type AccountCommandV1, type MatchingCommandV1 } from '@perpcore/proto';
import { feedFromBus } from '../market-data/bus-feed.js';
import { MarketDataModel } from '../market-data/market-data-model.js';

export interface CoreDriver {
  readonly exchange: EmbeddedExchange;
  readonly venue: ReturnType<typeof defaultVenueMarkets>;
  readonly model: MarketDataModel;
  deposit(accountId: number, usdt: number): void;
  order(accountId: number, market: string, side: 'BUY' | 'SELL', price: string, qty: string, tif?: 'GTC' | 'IOC'): number;
  cancel(accountId: number, market: string, orderId: number): void;
  close(): Promise<void>;
}

export interface CoreDriverOptions {
  seed?: number;
  /** Risk overrides for every market (e.g. a 10 s funding interval so funding settles within a test). */
  riskOverrides?: Parameters<typeof defaultVenueMarkets>[1];
}

/** Funding every 10 s of event time (500 simulated commands). */
export const fastFunding = { fundingIntervalS: 10, fundingRatePeriodS: 10 } as const;

export async function openCoreDriver(options: CoreDriverOptions = {}): Promise<CoreDriver> {
  const riskOverrides = options.riskOverrides ?? {};
  const exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: options.seed ?? 7, scenario: { shockAtS: 0, crowdAccounts: 0 }, riskOverrides });
  const venue = defaultVenueMarkets(defaultMarketSpecs, riskOverrides);
  const model = new MarketDataModel(venue);
  const stop = await feedFromBus(exchange.bus, model, 'market-data-test');
  let seq = 0;
  let orderId = 9_000_000_000_000;
  const spec = (market: string) => {
    const s = defaultMarketSpecs.find((m) => m.symbol === market);
    if (s === undefined) throw new Error(`no market ${market}`);
    return s;
  };
  return {
    exchange,
    venue,
    model,
    deposit(accountId, usdt) {
      exchange.bus.publish(Topics.gatewayAccountCommands, {
        schemaMajor: SCHEMA_MAJOR_V1, accountId, seq: ++seq, tsNs: exchange.nowNs(), source: 'gateway-test', commandId: seq,
        command: 'deposit', deposit: { asset: 'USDT', amountUnits: usdt * 1_000_000 },
      } as AccountCommandV1);
    },
    order(accountId, market, side, price, qty, tif = 'GTC') {
      const id = ++orderId;
      exchange.bus.publish(Topics.gatewayOrderCommands, {
        schemaMajor: SCHEMA_MAJOR_V1, market, seq: ++seq, tsNs: exchange.nowNs(), source: 'gateway-test', command: 'place',
        place: {
          orderId: id, accountId, side: sideToWire(side === 'BUY' ? Side.Buy : Side.Sell), type: OrderType.Limit,
          timeInForce: tif === 'GTC' ? TimeInForce.GoodTillCancel : TimeInForce.ImmediateOrCancel,
          priceTicks: priceToTicks(spec(market), price), qtyLots: qtyToLots(spec(market), qty), triggerPriceTicks: 0,
          triggerSource: TriggerSource.LastTrade, selfTradePrevention: SelfTradePrevention.CancelTaker, reduceOnly: false, clientOrderId: '', liquidationId: 0,
        },
      } as MatchingCommandV1);
      return id;
    },
    cancel(accountId, market, id) {
      exchange.bus.publish(Topics.gatewayOrderCommands, {
        schemaMajor: SCHEMA_MAJOR_V1, market, seq: ++seq, tsNs: exchange.nowNs(), source: 'gateway-test', command: 'cancel', cancel: { orderId: id, accountId },
      } as MatchingCommandV1);
    },
    async close() {
      await stop();
      await exchange.close();
    },
  };
}
