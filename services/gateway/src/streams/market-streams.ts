/**
 * The market streams: which streams have subscribers, and producing their frames from
 * the read model. Event-driven streams (trade, aggTrade, bookTicker, forceOrder, 0 ms
 * depth) are sent as the read model folds each event; timed ones on the clock's tick of
 * their period. A stream with no subscriber costs nothing: it exists only while
 * subscribed (a new depth-diff chain starts at the market's current update id).
 *
 * Each frame's text is built once per event and stream, then written to every
 * subscriber (raw on /ws, enveloped on /stream).
 */
import { Side } from '@perpcore/domain';
import type { RiskEventV1 } from '@perpcore/proto';
import { toBinanceSymbol } from '../binance/symbols.js';
import type { MarketDataModel } from '../market-data/market-data-model.js';
import type { AggTradeRow, ForceOrderRow, TradeRow } from '../market-data/market-rows.js';
import type { MarketState, MarketStateListener } from '../market-data/market-state.js';
import { DepthDiff } from './depth-diff.js';
import type { StreamClock } from './stream-clock.js';
import { parseStreamName, STREAM_PERIODS_MS, type StreamDescriptor } from './stream-names.js';
import {
  aggTradePayload, bestQuote, type BestQuote, bookTickerPayload, depthUpdatePayload, forceOrderPayload, lendingHealthPayload, markPricePayload, miniTickerPayload, partialDepthPayload, tickerPayload, tradePayload,
} from './stream-payloads.js';
import type { WsSession } from './ws-session.js';

class ActiveStream {
  readonly subscribers = new Set<WsSession>();
  /** depthDiff: the chain; depthPartial / tickers: the last update id / trade id sent. */
  diff: DepthDiff | undefined;
  lastSentMark = -1;

  constructor(
    readonly desc: StreamDescriptor,
    readonly market: MarketState | undefined,
  ) {}
}

/** Per market: the names of its event-driven streams (no string building per event). */
interface MarketNames {
  trade: string;
  aggTrade: string;
  bookTicker: string;
  forceOrder: string;
  lastQuote: BestQuote;
  /** Depth-diff streams currently open on this market. */
  diffs: ActiveStream[];
}

export class MarketStreams implements MarketStateListener {
  private readonly active = new Map<string, ActiveStream>();
  private readonly names = new Map<MarketState, MarketNames>();
  private readonly cancelTicks: (() => void)[] = [];
  framesBuilt = 0;

  constructor(
    private readonly model: MarketDataModel,
    private readonly clock: StreamClock,
  ) {
    for (const m of model.markets()) {
      const s = toBinanceSymbol(m.spec.symbol).toLowerCase();
      this.names.set(m, { trade: `${s}@trade`, aggTrade: `${s}@aggTrade`, bookTicker: `${s}@bookTicker`, forceOrder: `${s}@forceOrder`, lastQuote: { bidTicks: 0, bidLots: 0, askTicks: 0, askLots: 0 }, diffs: [] });
    }
    model.addListener(this);
    for (const period of STREAM_PERIODS_MS) this.cancelTicks.push(clock.every(period, () => this.tick(period)));
  }

  /** The stream a name denotes, if this server serves it (a per-symbol stream must name a listed market). */
  resolve(name: string): StreamDescriptor | undefined {
    const desc = parseStreamName(name);
    if (desc === undefined) return undefined;
    if (desc.symbol !== '' && this.marketOf(desc) === undefined) return undefined;
    return desc;
  }

  private marketOf(desc: StreamDescriptor): MarketState | undefined {
    for (const m of this.model.markets()) if (toBinanceSymbol(m.spec.symbol) === desc.symbol) return m;
    return undefined;
  }

  subscribe(session: WsSession, desc: StreamDescriptor): void {
    let stream = this.active.get(desc.name);
    if (stream === undefined) {
      const market = desc.symbol === '' ? undefined : this.marketOf(desc);
      stream = new ActiveStream(desc, market);
      if (desc.kind === 'depthDiff' && market !== undefined) {
        stream.diff = new DepthDiff(market, market.lastUpdateId);
        this.names.get(market)?.diffs.push(stream);
      }
      if (desc.kind === 'depthPartial' && market !== undefined) stream.lastSentMark = -1;
      this.active.set(desc.name, stream);
    }
    stream.subscribers.add(session);
    session.streams.add(desc.name);
  }

  unsubscribe(session: WsSession, name: string): void {
    session.streams.delete(name);
    const stream = this.active.get(name);
    if (stream === undefined) return;
    stream.subscribers.delete(session);
    if (stream.subscribers.size > 0) return;
    this.active.delete(name);
    if (stream.diff !== undefined && stream.market !== undefined) {
      const n = this.names.get(stream.market);
      if (n !== undefined) n.diffs = n.diffs.filter((s) => s !== stream);
    }
  }

  close(): void {
    for (const cancel of this.cancelTicks) cancel();
  }

  private emit(stream: ActiveStream | undefined, payload: object): void {
    if (stream === undefined || stream.subscribers.size === 0) return;
    const raw = JSON.stringify(payload);
    let combined = raw;
    for (const s of stream.subscribers) {
      if (!s.combined) continue;
      combined = `{"stream":${JSON.stringify(stream.desc.name)},"data":${raw}}`;
      break;
    }
    this.framesBuilt++;
    for (const s of stream.subscribers) s.send(raw, combined);
  }

  // --- event-driven streams (MarketStateListener) ---

  onBookDelta(m: MarketState, side: Side, priceTicks: number, levelQtyLots: number): void {
    const n = this.names.get(m);
    if (n === undefined) return;
    for (const stream of n.diffs) {
      const diff = stream.diff as DepthDiff;
      diff.record(side, priceTicks, levelQtyLots);
      if (stream.desc.periodMs === 0) this.flushDiff(stream);
    }
    const bookTicker = this.active.get(n.bookTicker);
    const all = this.active.get('!bookTicker');
    if (bookTicker === undefined && all === undefined) return;
    const q = n.lastQuote;
    const { bidTicks, bidLots, askTicks, askLots } = q;
    bestQuote(m, q);
    if (q.bidTicks === bidTicks && q.bidLots === bidLots && q.askTicks === askTicks && q.askLots === askLots) return;
    const payload = bookTickerPayload(m, q, this.clock.nowMs());
    this.emit(bookTicker, payload);
    this.emit(all, payload);
  }

  onTrade(m: MarketState, t: TradeRow): void {
    const n = this.names.get(m);
    const stream = n === undefined ? undefined : this.active.get(n.trade);
    if (stream !== undefined) this.emit(stream, tradePayload(m, t, this.clock.nowMs()));
  }

  onAggTrade(m: MarketState, a: AggTradeRow): void {
    const n = this.names.get(m);
    const stream = n === undefined ? undefined : this.active.get(n.aggTrade);
    if (stream !== undefined) this.emit(stream, aggTradePayload(m, a, this.clock.nowMs()));
  }

  onMarkPrice(): void {
    // mark streams are timed (markPrice@1s / 3s): each tick sends the latest mark
  }

  onForceOrder(m: MarketState, f: ForceOrderRow): void {
    const n = this.names.get(m);
    const one = n === undefined ? undefined : this.active.get(n.forceOrder);
    const all = this.active.get('!forceOrder@arr');
    if (one === undefined && all === undefined) return;
    const payload = forceOrderPayload(m, f, this.clock.nowMs());
    this.emit(one, payload);
    this.emit(all, payload);
  }

  /** A risk event: the pool's health-factor transitions go to `!lendingHealth@arr`. */
  onRiskEvent(e: RiskEventV1): void {
    if (e.event !== 'healthFactorBelowOne' && e.event !== 'healthFactorRecovered') return;
    const stream = this.active.get('!lendingHealth@arr');
    if (stream === undefined) return;
    const payload = lendingHealthPayload(e, this.clock.nowMs());
    if (payload !== null) this.emit(stream, payload);
  }

  // --- timed streams ---

  private flushDiff(stream: ActiveStream): void {
    const diff = stream.diff as DepthDiff;
    if (diff.empty) return;
    const m = diff.market;
    const pu = diff.lastSentId;
    const payload = depthUpdatePayload(m, this.clock.nowMs(), pu + 1, m.lastUpdateId, pu, diff.drain(Side.Buy), diff.drain(Side.Sell));
    diff.lastSentId = m.lastUpdateId;
    this.emit(stream, payload);
  }

  private tick(period: number): void {
    if (period === 100) this.model.closeAggTrades();
    const now = this.clock.nowMs();
    for (const stream of this.active.values()) {
      if (stream.desc.periodMs !== period) continue;
      const m = stream.market;
      switch (stream.desc.kind) {
        case 'depthDiff':
          this.flushDiff(stream);
          break;
        case 'depthPartial':
          if (m !== undefined && m.lastUpdateId !== stream.lastSentMark) {
            const pu = stream.lastSentMark < 0 ? m.lastUpdateId : stream.lastSentMark;
            this.emit(stream, partialDepthPayload(m, now, stream.desc.levels, pu));
            stream.lastSentMark = m.lastUpdateId;
          }
          break;
        case 'markPrice':
          if (m !== undefined && m.markSubticks > 0) this.emit(stream, markPricePayload(m, now));
          break;
        case 'miniTicker':
        case 'ticker':
          if (m !== undefined && m.ticker.lastPriceTicks > 0 && m.lastUpdateId !== stream.lastSentMark) {
            stream.lastSentMark = m.lastUpdateId;
            this.emit(stream, stream.desc.kind === 'ticker' ? tickerPayload(m, now) : miniTickerPayload(m, now));
          }
          break;
        case 'allMarkPrice': {
          const rows = [...this.model.markets()].filter((x) => x.markSubticks > 0).map((x) => markPricePayload(x, now));
          if (rows.length > 0) this.emit(stream, rows);
          break;
        }
        case 'allMiniTicker':
        case 'allTicker': {
          const rows = [...this.model.markets()].filter((x) => x.ticker.lastPriceTicks > 0).map((x) => (stream.desc.kind === 'allTicker' ? tickerPayload(x, now) : miniTickerPayload(x, now)));
          if (rows.length > 0) this.emit(stream, rows);
          break;
        }
        default:
      }
    }
  }
}
