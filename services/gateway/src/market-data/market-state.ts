/**
 * One market's public state, folded from the core's events in stream order:
 * - book: the L2 book from `BookDeltaV1`; `lastUpdateId` is the matching envelope
 *   `seq` of the last book delta folded for the market (the book's version), so the
 *   REST snapshot and the diff stream's U/u/pu live in one id space (BINANCE-COMPAT §4).
 *   Book deltas and the other events (fills, order states) each have their own
 *   redelivery watermark: in cluster mode they come on two topics
 *   (matching.market-data.v1, conflated and up to a window later, and
 *   matching.events.v1), each in increasing seq but interleaved arbitrarily, and one
 *   watermark over both dropped every delta that arrived after a later fill;
 * - trades (id = trade_seq), aggTrades (consecutive fills of one taker at one price),
 *   the rolling 24 h ticker;
 * - mark, index, the latest funding-rate estimate, next funding time, funding history;
 * - forced (liquidation) orders.
 *
 * Bounded: rings of fixed capacity for every history; the book holds only live levels.
 * Pure: no clock, no I/O; time is the events' `tsNs`.
 */
import { type MarketSpec, Side } from '@perpcore/domain';
import type { VenueMarket } from '@perpcore/markets';
import { sideFromWire, type MatchingEventV1 } from '@perpcore/proto';
import { L2Book } from './l2-book.js';
import type { AggTradeRow, ForceOrderRow, FundingRow, TradeRow } from './market-rows.js';
import { Ring } from './ring.js';
import { RollingTicker } from './rolling-ticker.js';

export interface MarketHistoryLimits {
  trades: number;
  aggTrades: number;
  fundingRows: number;
  forceOrders: number;
}

export const defaultHistoryLimits: MarketHistoryLimits = { trades: 1_000, aggTrades: 1_000, fundingRows: 1_000, forceOrders: 100 };

/** What the fold tells its listener; `MarketDataModel` forwards these to the streams. */
export interface MarketStateListener {
  onBookDelta(m: MarketState, side: Side, priceTicks: number, levelQtyLots: number): void;
  onTrade(m: MarketState, t: TradeRow): void;
  /** An aggTrade that can take no more fills. */
  onAggTrade(m: MarketState, a: AggTradeRow): void;
  onMarkPrice(m: MarketState): void;
  onForceOrder(m: MarketState, f: ForceOrderRow): void;
}

const NS_PER_MS = 1_000_000;
export const toMs = (tsNs: number): number => Math.floor(tsNs / NS_PER_MS);

export class MarketState {
  readonly spec: MarketSpec;
  readonly book = new L2Book();
  readonly ticker = new RollingTicker();
  readonly trades: Ring<TradeRow>;
  readonly aggTrades: Ring<AggTradeRow>;
  readonly fundingHistory: Ring<FundingRow>;
  readonly forceOrders: Ring<ForceOrderRow>;
  lastUpdateId = 0;
  /** The seq of the last event other than a book delta folded (its own redelivery watermark). */
  private lastEventSeq = 0;
  /**
   * Matching events missing from the stream (a seq jump past both watermarks). On one
   * in-order stream (embedded) the book cannot be trusted after one (a consumer that
   * started past the log's beginning, or a lost message): an operations signal, the
   * read model has no way to repair it by itself. In cluster mode the market-data
   * topic is conflated, so jumps are expected there and this only counts them.
   */
  sequenceGaps = 0;
  /** Event time of the latest event folded for this market (ms). */
  lastEventMs = 0;
  markSubticks = 0;
  indexSubticks = 0;
  markTimeMs = 0;
  fundingRateE8 = 0;
  nextFundingTimeMs = 0;
  private openAgg: AggTradeRow | undefined;
  private nextAggId = 1;
  private readonly liveForceOrders = new Map<number, ForceOrderRow>();

  constructor(
    readonly venue: VenueMarket,
    limits: MarketHistoryLimits,
    private readonly listener: MarketStateListener,
  ) {
    this.spec = venue.spec;
    this.trades = new Ring(limits.trades);
    this.aggTrades = new Ring(limits.aggTrades);
    this.fundingHistory = new Ring(limits.fundingRows);
    this.forceOrders = new Ring(limits.forceOrders);
  }

  get subticksPerTick(): number {
    return this.venue.risk.markSubticksPerTick;
  }

  onMatching(e: MatchingEventV1): void {
    const delta = e.event === 'bookDelta';
    if (e.seq <= (delta ? this.lastUpdateId : this.lastEventSeq)) return; // a redelivered event (at-least-once bus)
    if (e.seq !== Math.max(this.lastUpdateId, this.lastEventSeq) + 1 && e.seq > Math.max(this.lastUpdateId, this.lastEventSeq)) this.sequenceGaps++;
    if (delta) this.lastUpdateId = e.seq;
    else this.lastEventSeq = e.seq;
    const tsMs = toMs(e.tsNs);
    if (tsMs > this.lastEventMs) this.lastEventMs = tsMs;
    switch (e.event) {
      case 'bookDelta': {
        const d = e.bookDelta;
        const side = sideFromWire(d?.side ?? 0);
        if (d == null || side === undefined) return;
        this.book.apply(side, d.priceTicks, d.levelQtyLots);
        this.listener.onBookDelta(this, side, d.priceTicks, d.levelQtyLots);
        return;
      }
      case 'filled':
        this.onFill(e, tsMs);
        return;
      case 'accepted': {
        this.closeAggTrade();
        const a = e.accepted;
        if (a != null && a.liquidationId !== 0) this.openForceOrder(a.orderId, a.side === 1, a.qtyLots, a.priceTicks, tsMs);
        return;
      }
      case 'canceled': {
        this.closeAggTrade();
        const f = e.canceled == null ? undefined : this.liveForceOrders.get(e.canceled.orderId);
        // an IOC liquidation step's unfilled remainder: the order expired (Binance's status for it)
        if (f !== undefined) this.finishForceOrder(f, 'EXPIRED', tsMs);
        return;
      }
      default:
        this.closeAggTrade();
    }
  }

  private onFill(e: MatchingEventV1, tsMs: number): void {
    const f = e.filled;
    if (f == null) return;
    const buyerMaker = f.takerSide === 2;
    // full rings hand their oldest row back for reuse: no allocation per fill once warm
    const trade: TradeRow = this.trades.recyclable() ?? { id: 0, priceTicks: 0, qtyLots: 0, tsMs: 0, buyerMaker: false };
    trade.id = f.tradeSeq;
    trade.priceTicks = f.priceTicks;
    trade.qtyLots = f.qtyLots;
    trade.tsMs = tsMs;
    trade.buyerMaker = buyerMaker;
    this.trades.push(trade);
    this.ticker.onTrade(f.tradeSeq, f.priceTicks, f.qtyLots, tsMs);
    this.listener.onTrade(this, trade);
    const open = this.openAgg;
    if (open !== undefined && open.takerOrderId === f.takerOrderId && open.priceTicks === f.priceTicks) {
      open.qtyLots += f.qtyLots;
      open.lastTradeId = f.tradeSeq;
    } else {
      this.closeAggTrade();
      const agg: AggTradeRow = this.aggTrades.recyclable() ?? { id: 0, priceTicks: 0, qtyLots: 0, firstTradeId: 0, lastTradeId: 0, tsMs: 0, buyerMaker: false, takerOrderId: 0 };
      agg.id = this.nextAggId++;
      agg.priceTicks = f.priceTicks;
      agg.qtyLots = f.qtyLots;
      agg.firstTradeId = agg.lastTradeId = f.tradeSeq;
      agg.tsMs = tsMs;
      agg.buyerMaker = buyerMaker;
      agg.takerOrderId = f.takerOrderId;
      this.aggTrades.push(agg);
      this.openAgg = agg;
    }
    if (f.takerRemainingLots === 0) this.closeAggTrade();
    const force = this.liveForceOrders.get(f.takerOrderId) ?? this.liveForceOrders.get(f.makerOrderId);
    if (force !== undefined) {
      force.filledLots += f.qtyLots;
      force.filledPriceLots += f.qtyLots * f.priceTicks;
      force.lastFillLots = f.qtyLots;
      force.lastFillTicks = f.priceTicks;
      force.status = 'PARTIALLY_FILLED';
      if (force.filledLots >= force.qtyLots) this.finishForceOrder(force, 'FILLED', tsMs);
    }
  }

  /**
   * Ends the aggTrade in progress (the next fill starts a new one). The fold closes it
   * on any other order event; the streams also call this on their tick, so a taker that
   * rested after its fills does not hold its aggTrade back until the next command.
   */
  closeAggTrade(): void {
    const open = this.openAgg;
    if (open === undefined) return;
    this.openAgg = undefined;
    this.listener.onAggTrade(this, open);
  }

  /** A liquidation order entered the book; its fills follow, then its end (filled, or the IOC's remainder canceled). */
  private openForceOrder(orderId: number, sideBuy: boolean, qtyLots: number, priceTicks: number, tsMs: number): void {
    this.liveForceOrders.set(orderId, { orderId, sideBuy, qtyLots, priceTicks, filledLots: 0, filledPriceLots: 0, lastFillLots: 0, lastFillTicks: 0, status: 'NEW', tsMs });
  }

  private finishForceOrder(f: ForceOrderRow, status: ForceOrderRow['status'], tsMs: number): void {
    f.status = status;
    f.tsMs = tsMs;
    this.liveForceOrders.delete(f.orderId);
    this.forceOrders.push(f);
    this.listener.onForceOrder(this, f);
  }

  onMark(markSubticks: number, indexSubticks: number, tsMs: number): void {
    this.markSubticks = markSubticks;
    if (indexSubticks > 0) this.indexSubticks = indexSubticks;
    this.markTimeMs = tsMs;
    if (tsMs > this.lastEventMs) this.lastEventMs = tsMs;
    this.listener.onMarkPrice(this);
  }

  onIndex(indexSubticks: number, tsMs: number): void {
    this.indexSubticks = indexSubticks;
    if (tsMs > this.lastEventMs) this.lastEventMs = tsMs;
  }

  onFundingEstimate(rateE8: number, fundingTimeMs: number): void {
    this.fundingRateE8 = rateE8;
    this.nextFundingTimeMs = fundingTimeMs;
  }

  onFundingSettled(rateE8: number, fundingTimeMs: number): void {
    const last = this.fundingHistory.last();
    if (last !== undefined && last.fundingTimeMs >= fundingTimeMs) return; // redelivered
    this.fundingHistory.push({ fundingTimeMs, rateE8, markSubticks: this.markSubticks });
    if (this.nextFundingTimeMs <= fundingTimeMs) this.nextFundingTimeMs = fundingTimeMs + this.venue.risk.fundingIntervalS * 1_000;
  }
}
