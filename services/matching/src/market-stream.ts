/**
 * One market's book and its outgoing event stream. Implements the book's event
 * sink: each book event becomes one `MatchingEventV1` envelope with the market's
 * next sequence number, the command's time and its (source, seq), and goes to the
 * publish port in book order.
 *
 * Fill type: every fill of an order placed with a non-zero `liquidationId` is a
 * LIQUIDATION fill; the liquidation id rides on the fill so consumers can attribute
 * it. (DELEVERAGED fills do not pass through the book: ADL is a risk-stage transfer.)
 */
import { FillType, type MarketSpec, Side } from '@perpcore/domain';
import type {
  BookDeltaEvent,
  BookEventSink,
  FillEvent,
  OrderAcceptedEvent,
  OrderAmendedEvent,
  OrderBook,
  OrderBookFactory,
  OrderCanceledEvent,
  OrderRejectedEvent,
  OrderTriggeredEvent,
} from '@perpcore/orderbook';
import { SCHEMA_MAJOR_V1, sideToWire, type MatchingEventV1, type perpcore } from '@perpcore/proto';
import { ClientOrderIds } from './client-order-ids.js';

export type MatchingEventPort = (event: MatchingEventV1) => void;

export class MarketStream implements BookEventSink {
  readonly book: OrderBook;
  readonly clientOrderIds = new ClientOrderIds();
  /** Last envelope sequence number published for this market. */
  seq = 0;
  /** Last trade sequence number (trade id). */
  tradeSeq = 0;
  fills = 0;
  /** Operator halt (matching-engine.ts): places and amends are refused while set. */
  halted = false;
  haltReason = '';
  /** Per command source: the last input sequence number applied (duplicate commands are dropped). */
  readonly appliedInputSeq = new Map<string, number>();
  /** The last sample boundary emitted (boundary / interval), -1 before the first. */
  private lastSampleSlot = -1;
  /** Liquidation ids of orders placed by the liquidation engine that may still fill. */
  private readonly liquidationIdByOrder = new Map<number, number>();

  private tsNs = 0;
  private inputSource = '';
  private inputSeq = 0;
  private pendingLiquidationId = 0;
  private pendingOrderId = 0;

  constructor(
    readonly spec: MarketSpec,
    createBook: OrderBookFactory,
    private readonly publish: MatchingEventPort,
  ) {
    this.book = createBook({ maxPriceTicks: spec.maxPriceTicks, maxQtyLots: spec.maxQtyLots, priceBandE8: spec.priceBandE8 }, this);
  }

  /** Sets the context stamped on the events the next book call produces. */
  begin(tsNs: number, inputSource: string, inputSeq: number, liquidationOrderId = 0, liquidationId = 0): void {
    this.tsNs = tsNs;
    this.inputSource = inputSource;
    this.inputSeq = inputSeq;
    this.pendingOrderId = liquidationOrderId;
    this.pendingLiquidationId = liquidationId;
  }

  private envelope(): MatchingEventV1 {
    return {
      schemaMajor: SCHEMA_MAJOR_V1,
      market: this.spec.symbol,
      seq: ++this.seq,
      tsNs: this.tsNs,
      inputSource: this.inputSource,
      inputSeq: this.inputSeq,
    } as MatchingEventV1;
  }

  /**
   * Emits a `BookSampleV1` if `tsNs` (the next command's time, after `begin`) is past
   * the next multiple of `intervalNs`: the book as it stands before that command, at
   * most `depthLevels` per side. Several boundaries crossed at once give one sample
   * (the book did not change in between), stamped with the latest boundary.
   */
  sampleIfDue(tsNs: number, intervalNs: number, depthLevels: number): void {
    const slot = Math.floor(tsNs / intervalNs);
    if (slot <= this.lastSampleSlot) return;
    const first = this.lastSampleSlot < 0;
    this.lastSampleSlot = slot;
    if (first) return; // the first command only sets the clock: no boundary was crossed yet
    const bids: { priceTicks: number; qtyLots: number }[] = [];
    const asks: { priceTicks: number; qtyLots: number }[] = [];
    this.book.forEachLevel(Side.Buy, depthLevels, (priceTicks, qtyLots) => bids.push({ priceTicks, qtyLots }));
    this.book.forEachLevel(Side.Sell, depthLevels, (priceTicks, qtyLots) => asks.push({ priceTicks, qtyLots }));
    const e = this.envelope();
    e.event = 'bookSample';
    e.bookSample = { sampledAtNs: slot * intervalNs, bids, asks } as perpcore.matching.v1.BookSampleV1;
    this.publish(e);
  }

  /** Publishes a reject that the book never saw (service-level validation). */
  reject(orderId: number, accountId: number, code: string, message: string): void {
    const e = this.envelope();
    e.event = 'rejected';
    e.rejected = { orderId, accountId, code, message };
    this.publish(e);
  }

  halt(reason: string): void {
    this.halted = true;
    this.haltReason = reason;
    const e = this.envelope();
    e.event = 'marketHalted';
    e.marketHalted = { reason };
    this.publish(e);
  }

  resume(): void {
    this.halted = false;
    this.haltReason = '';
    const e = this.envelope();
    e.event = 'marketResumed';
    e.marketResumed = {};
    this.publish(e);
  }

  onAccepted(a: OrderAcceptedEvent): void {
    const liquidationId = a.orderId === this.pendingOrderId ? this.pendingLiquidationId : 0;
    if (liquidationId !== 0) this.liquidationIdByOrder.set(a.orderId, liquidationId);
    const e = this.envelope();
    e.event = 'accepted';
    e.accepted = {
      orderId: a.orderId,
      accountId: a.accountId,
      side: sideToWire(a.side),
      type: a.type,
      timeInForce: a.timeInForce,
      priceTicks: a.priceTicks,
      qtyLots: a.qtyLots,
      triggerPriceTicks: a.triggerPriceTicks,
      reduceOnly: a.reduceOnly,
      liquidationId,
    };
    this.publish(e);
  }

  onRejected(r: OrderRejectedEvent): void {
    this.reject(r.orderId, r.accountId, r.code, r.code);
  }

  onFill(f: FillEvent): void {
    const liquidationId = this.liquidationIdByOrder.size === 0 ? 0 : (this.liquidationIdByOrder.get(f.takerOrderId) ?? 0);
    const e = this.envelope();
    e.event = 'filled';
    e.filled = {
      tradeSeq: ++this.tradeSeq,
      makerOrderId: f.makerOrderId,
      makerAccountId: f.makerAccountId,
      takerOrderId: f.takerOrderId,
      takerAccountId: f.takerAccountId,
      takerSide: sideToWire(f.takerSide),
      priceTicks: f.priceTicks,
      qtyLots: f.qtyLots,
      makerRemainingLots: f.makerRemainingLots,
      takerRemainingLots: f.takerRemainingLots,
      fillType: liquidationId === 0 ? FillType.Limit : FillType.Liquidation,
      liquidationId,
    };
    this.fills++;
    if (f.makerRemainingLots === 0) this.orderClosed(f.makerOrderId);
    if (f.takerRemainingLots === 0) this.orderClosed(f.takerOrderId);
    this.publish(e);
  }

  onCanceled(c: OrderCanceledEvent): void {
    this.orderClosed(c.orderId);
    const e = this.envelope();
    e.event = 'canceled';
    e.canceled = {
      orderId: c.orderId,
      accountId: c.accountId,
      side: sideToWire(c.side),
      priceTicks: c.priceTicks,
      canceledLots: c.canceledLots,
      reason: c.reason,
    };
    this.publish(e);
  }

  onAmended(a: OrderAmendedEvent): void {
    const e = this.envelope();
    e.event = 'amended';
    e.amended = {
      orderId: a.orderId,
      accountId: a.accountId,
      side: sideToWire(a.side),
      oldPriceTicks: a.oldPriceTicks,
      oldQtyLots: a.oldQtyLots,
      priceTicks: a.priceTicks,
      qtyLots: a.qtyLots,
      keptPriority: a.keptPriority,
    };
    this.publish(e);
  }

  onTriggered(t: OrderTriggeredEvent): void {
    const e = this.envelope();
    e.event = 'triggered';
    e.triggered = {
      orderId: t.orderId,
      accountId: t.accountId,
      triggerPriceTicks: t.triggerPriceTicks,
      crossingPriceTicks: t.crossingPriceTicks,
    };
    this.publish(e);
  }

  onBookDelta(d: BookDeltaEvent): void {
    const e = this.envelope();
    e.event = 'bookDelta';
    e.bookDelta = { side: sideToWire(d.side), priceTicks: d.priceTicks, levelQtyLots: d.levelQtyLots };
    this.publish(e);
  }

  private orderClosed(orderId: number): void {
    this.clientOrderIds.close(orderId);
    if (this.liquidationIdByOrder.size !== 0) this.liquidationIdByOrder.delete(orderId);
  }
}
