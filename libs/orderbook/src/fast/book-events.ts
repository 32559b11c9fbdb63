/**
 * The fast book's outgoing events: one struct per event kind, owned here and reused
 * for every event of that kind (the port's contract: a sink copies what it keeps).
 * Nothing on the matching path allocates.
 */
import type { OrderType, Side, TimeInForce } from '@perpcore/domain';
import type {
  BookDeltaEvent,
  BookEventSink,
  CancelReason,
  FillEvent,
  MatchingReject,
  OrderAcceptedEvent,
  OrderAmendedEvent,
  OrderCanceledEvent,
  OrderRejectedEvent,
  OrderTriggeredEvent,
} from '../order-book.js';
import { FLAG_REDUCE_ONLY, type OrderPool } from './order-pool.js';

export class BookEvents {
  private readonly acceptedEvent: OrderAcceptedEvent = {
    orderId: 0,
    accountId: 0,
    side: 1,
    type: 1,
    timeInForce: 1,
    priceTicks: 0,
    qtyLots: 0,
    triggerPriceTicks: 0,
    reduceOnly: false,
  };
  private readonly rejectedEvent: OrderRejectedEvent = { orderId: 0, accountId: 0, code: 'MATCHING_UNKNOWN_ORDER' };
  private readonly fillEvent: FillEvent = {
    makerOrderId: 0,
    makerAccountId: 0,
    takerOrderId: 0,
    takerAccountId: 0,
    takerSide: 1,
    priceTicks: 0,
    qtyLots: 0,
    makerRemainingLots: 0,
    takerRemainingLots: 0,
  };
  private readonly canceledEvent: OrderCanceledEvent = { orderId: 0, accountId: 0, side: 1, priceTicks: 0, canceledLots: 0, reason: 1 };
  private readonly amendedEvent: OrderAmendedEvent = {
    orderId: 0,
    accountId: 0,
    side: 1,
    oldPriceTicks: 0,
    oldQtyLots: 0,
    priceTicks: 0,
    qtyLots: 0,
    keptPriority: false,
  };
  private readonly triggeredEvent: OrderTriggeredEvent = { orderId: 0, accountId: 0, triggerPriceTicks: 0, crossingPriceTicks: 0 };
  private readonly deltaEvent: BookDeltaEvent = { side: 1, priceTicks: 0, levelQtyLots: 0 };

  constructor(
    private readonly sink: BookEventSink,
    private readonly pool: OrderPool,
  ) {}

  accepted(slot: number): void {
    const pool = this.pool;
    const e = this.acceptedEvent;
    e.orderId = pool.orderId[slot];
    e.accountId = pool.account[slot];
    e.side = pool.side[slot] as Side;
    e.type = pool.type[slot] as OrderType;
    e.timeInForce = pool.tif[slot] as TimeInForce;
    e.priceTicks = pool.price[slot];
    e.qtyLots = pool.remaining[slot];
    e.triggerPriceTicks = pool.trigger[slot];
    e.reduceOnly = (pool.flags[slot] & FLAG_REDUCE_ONLY) !== 0;
    this.sink.onAccepted(e);
  }

  rejected(orderId: number, accountId: number, code: MatchingReject): void {
    const e = this.rejectedEvent;
    e.orderId = orderId;
    e.accountId = accountId;
    e.code = code;
    this.sink.onRejected(e);
  }

  fill(maker: number, taker: number, priceTicks: number, qtyLots: number, makerRemainingLots: number, takerRemainingLots: number): void {
    const pool = this.pool;
    const e = this.fillEvent;
    e.makerOrderId = pool.orderId[maker];
    e.makerAccountId = pool.account[maker];
    e.takerOrderId = pool.orderId[taker];
    e.takerAccountId = pool.account[taker];
    e.takerSide = pool.side[taker] as Side;
    e.priceTicks = priceTicks;
    e.qtyLots = qtyLots;
    e.makerRemainingLots = makerRemainingLots;
    e.takerRemainingLots = takerRemainingLots;
    this.sink.onFill(e);
  }

  canceled(slot: number, canceledLots: number, reason: CancelReason): void {
    const pool = this.pool;
    const e = this.canceledEvent;
    e.orderId = pool.orderId[slot];
    e.accountId = pool.account[slot];
    e.side = pool.side[slot] as Side;
    e.priceTicks = pool.price[slot];
    e.canceledLots = canceledLots;
    e.reason = reason;
    this.sink.onCanceled(e);
  }

  amended(slot: number, priceTicks: number, qtyLots: number, keptPriority: boolean): void {
    const pool = this.pool;
    const e = this.amendedEvent;
    e.orderId = pool.orderId[slot];
    e.accountId = pool.account[slot];
    e.side = pool.side[slot] as Side;
    e.oldPriceTicks = pool.price[slot];
    e.oldQtyLots = pool.remaining[slot];
    e.priceTicks = priceTicks;
    e.qtyLots = qtyLots;
    e.keptPriority = keptPriority;
    this.sink.onAmended(e);
  }

  triggered(slot: number, crossingPriceTicks: number): void {
    const pool = this.pool;
    const e = this.triggeredEvent;
    e.orderId = pool.orderId[slot];
    e.accountId = pool.account[slot];
    e.triggerPriceTicks = pool.trigger[slot];
    e.crossingPriceTicks = crossingPriceTicks;
    this.sink.onTriggered(e);
  }

  delta(side: number, priceTicks: number, levelQtyLots: number): void {
    const e = this.deltaEvent;
    e.side = side as Side;
    e.priceTicks = priceTicks;
    e.levelQtyLots = levelQtyLots;
    this.sink.onBookDelta(e);
  }
}
