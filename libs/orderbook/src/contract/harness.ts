/**
 * Builders and a small harness for the order-book contract suite. Commands go through
 * the real `OrderBook` port; events are copied by a `RecordingSink`.
 */
import assert from 'node:assert/strict';
import { OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import type { OrderBook, OrderBookConfig, OrderBookFactory, PlaceOrderCommand } from '../order-book.js';
import { RecordingSink, type RecordedEvent } from '../recording-sink.js';

export const ALICE = 1;
export const BOB = 2;
export const CAROL = 3;

/** 1% band; prices in the scenarios sit around 10_000 ticks. */
export const SMALL_RANGE: OrderBookConfig = { maxPriceTicks: 1_000_000, maxQtyLots: 1_000_000, priceBandE8: 1_000_000 };
/** A tick range too large for direct indexing: the fast book switches to its sparse ladder. */
export const HUGE_RANGE: OrderBookConfig = { maxPriceTicks: 2 ** 40, maxQtyLots: 8_000, priceBandE8: 1_000_000 };

export interface Harness {
  book: OrderBook;
  sink: RecordingSink;
  config: OrderBookConfig;
  /** Runs `fn` and returns the events it produced (earlier events are discarded). */
  run(fn: (book: OrderBook) => void): RecordedEvent[];
  /** Runs `fn`, asserts it produced exactly one reject with `code`, and that the state hash did not move. */
  expectReject(fn: (book: OrderBook) => void, code: string): void;
}

export function harness(factory: OrderBookFactory, config: OrderBookConfig): Harness {
  const sink = new RecordingSink();
  const book = factory(config, sink);
  return {
    book,
    sink,
    config,
    run(fn) {
      sink.take();
      fn(book);
      return sink.take();
    },
    expectReject(fn, code) {
      const before = book.stateHash();
      const countBefore = book.restingOrderCount();
      sink.take();
      fn(book);
      const events = sink.take();
      assert.equal(events.length, 1, `expected one reject, got ${JSON.stringify(events)}`);
      assert.equal(events[0].kind, 'rejected');
      assert.equal((events[0] as { code: string }).code, code);
      assert.equal(book.stateHash(), before);
      assert.equal(book.restingOrderCount(), countBefore);
    },
  };
}

type Extra = Partial<PlaceOrderCommand>;

export function limit(orderId: number, accountId: number, side: number, priceTicks: number, qtyLots: number, extra: Extra = {}): PlaceOrderCommand {
  return {
    orderId,
    accountId,
    side: side as Side,
    type: OrderType.Limit,
    timeInForce: TimeInForce.GoodTillCancel,
    priceTicks,
    qtyLots,
    triggerPriceTicks: 0,
    triggerSource: TriggerSource.LastTrade,
    selfTradePrevention: SelfTradePrevention.None,
    reduceOnly: false,
    ...extra,
  };
}

export function market(orderId: number, accountId: number, side: number, qtyLots: number, extra: Extra = {}): PlaceOrderCommand {
  return limit(orderId, accountId, side, 0, qtyLots, { type: OrderType.Market, timeInForce: TimeInForce.ImmediateOrCancel, ...extra });
}

/** A conditional order; `priceTicks` matters only for the -limit types. */
export function conditional(
  orderId: number,
  accountId: number,
  side: number,
  type: OrderType,
  triggerPriceTicks: number,
  qtyLots: number,
  extra: Extra = {},
): PlaceOrderCommand {
  return limit(orderId, accountId, side, 0, qtyLots, { type, triggerPriceTicks, ...extra });
}

/** Compact event rendering for whole-sequence assertions. */
export function brief(events: RecordedEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'accepted':
        return `accepted ${e.orderId}`;
      case 'rejected':
        return `rejected ${e.orderId} ${e.code}`;
      case 'fill':
        return `fill ${e.makerOrderId}<-${e.takerOrderId} ${e.qtyLots}@${e.priceTicks} m${e.makerRemainingLots} t${e.takerRemainingLots}`;
      case 'canceled':
        return `canceled ${e.orderId} ${e.canceledLots} r${e.reason}`;
      case 'amended':
        return `amended ${e.orderId} ${e.oldQtyLots}@${e.oldPriceTicks}->${e.qtyLots}@${e.priceTicks}${e.keptPriority ? ' kept' : ''}`;
      case 'triggered':
        return `triggered ${e.orderId} at ${e.crossingPriceTicks}`;
      case 'delta':
        return `delta ${e.side === Side.Buy ? 'bid' : 'ask'} ${e.levelQtyLots}@${e.priceTicks}`;
    }
  });
}

/** Resting orders of a side in priority order, as `id:remaining@price`. */
export function queue(book: OrderBook, side: Side): string[] {
  const out: string[] = [];
  book.forEachRestingOrder(side, (id, _account, price, remaining) => out.push(`${id}:${remaining}@${price}`));
  return out;
}

export function levels(book: OrderBook, side: Side, max = 100): string[] {
  const out: string[] = [];
  book.forEachLevel(side, max, (price, qty) => out.push(`${qty}@${price}`));
  return out;
}
