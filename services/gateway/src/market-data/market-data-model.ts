/**
 * The market-data read model: one `MarketState` per listed market, fed through the
 * `MarketEventFeed` port, read by the public REST routes and the WebSocket streams.
 *
 * Routing: matching events by `market`; risk market events (mark, funding estimate,
 * funding settled) by `market` (account events are ignored); oracle index prices by
 * `symbol`; liquidation step orders register forced orders by `market`. Events for a
 * market that is not listed are counted and dropped.
 *
 * Listeners (the stream hub) see every change synchronously, in event order.
 */
import type { Side } from '@perpcore/domain';
import type { VenueMarket } from '@perpcore/markets';
import type { LiquidationEventV1, MatchingEventV1, OracleEventV1, RiskEventV1 } from '@perpcore/proto';
import type { MarketEventFeed } from './market-event-feed.js';
import type { AggTradeRow, ForceOrderRow, TradeRow } from './market-rows.js';
import { defaultHistoryLimits, type MarketHistoryLimits, MarketState, type MarketStateListener, toMs } from './market-state.js';

export class MarketDataModel implements MarketEventFeed {
  private readonly byMarket = new Map<string, MarketState>();
  private readonly listeners: MarketStateListener[] = [];
  /** Events naming a market that is not listed (dropped). */
  unknownMarketEvents = 0;

  constructor(venue: readonly VenueMarket[], limits: MarketHistoryLimits = defaultHistoryLimits) {
    const fanOut: MarketStateListener = {
      onBookDelta: (m: MarketState, side: Side, p: number, q: number) => {
        for (const l of this.listeners) l.onBookDelta(m, side, p, q);
      },
      onTrade: (m: MarketState, t: TradeRow) => {
        for (const l of this.listeners) l.onTrade(m, t);
      },
      onAggTrade: (m: MarketState, a: AggTradeRow) => {
        for (const l of this.listeners) l.onAggTrade(m, a);
      },
      onMarkPrice: (m: MarketState) => {
        for (const l of this.listeners) l.onMarkPrice(m);
      },
      onForceOrder: (m: MarketState, f: ForceOrderRow) => {
        for (const l of this.listeners) l.onForceOrder(m, f);
      },
    };
    for (const v of venue) this.byMarket.set(v.spec.symbol, new MarketState(v, limits, fanOut));
  }

  addListener(listener: MarketStateListener): void {
    this.listeners.push(listener);
  }

  market(market: string): MarketState | undefined {
    return this.byMarket.get(market);
  }

  markets(): IterableIterator<MarketState> {
    return this.byMarket.values();
  }

  marketNames(): IterableIterator<string> {
    return this.byMarket.keys();
  }

  private find(market: string): MarketState | undefined {
    const m = this.byMarket.get(market);
    if (m === undefined) this.unknownMarketEvents++;
    return m;
  }

  onMatchingEvent(e: MatchingEventV1): void {
    this.find(e.market)?.onMatching(e);
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.accountId !== 0 || e.market === '') return;
    switch (e.event) {
      case 'markPrice': {
        const p = e.markPrice;
        if (p != null) this.find(e.market)?.onMark(p.markSubticks, p.indexSubticks, toMs(e.tsNs));
        return;
      }
      case 'fundingRate': {
        const f = e.fundingRate;
        if (f != null) this.find(e.market)?.onFundingEstimate(f.rateE8, toMs(f.fundingTimeNs));
        return;
      }
      case 'fundingSettled': {
        const f = e.fundingSettled;
        if (f != null) this.find(e.market)?.onFundingSettled(f.rateE8, toMs(f.fundingTimeNs));
        return;
      }
      default:
    }
  }

  onOracleEvent(e: OracleEventV1): void {
    const p = e.indexPrice;
    if (e.event === 'indexPrice' && p != null && p.priceSubticks > 0) this.find(e.symbol)?.onIndex(p.priceSubticks, toMs(e.tsNs));
  }

  /**
   * Forced orders are read from the matching stream (an accept with a liquidation id,
   * then its fills), which orders them with the book; the liquidation stream repeats
   * the step orders on another topic, possibly after their fills, so nothing public is
   * taken from it. Accepted for the port (the composition feeds all four kinds).
   */
  onLiquidationEvent(_e: LiquidationEventV1): void {}

  /** Closes every aggTrade in progress (the streams call it on their tick). */
  closeAggTrades(): void {
    for (const m of this.byMarket.values()) m.closeAggTrade();
  }
}
