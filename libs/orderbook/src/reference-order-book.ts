/**
 * The reference order book: the oracle. Plain arrays and a Map, written to be read,
 * not to be fast; the fast book must match it event for event and hash for hash.
 *
 * Layout
 * - `bids` / `asks`: arrays of levels, best price first; each level an array of
 *   orders in queue order (arrival, or re-entry after an amend that lost priority).
 * - `pending`: untriggered stop / take-profit orders in acceptance order.
 * - `live`: every resting or pending order by id (number keys).
 *
 * Semantics (shared with the fast book; see `order-book.ts` for the full list)
 * - Matching walks the best opposite level while it crosses the taker's limit; each
 *   fill trades at the maker's price and sets the last trade.
 * - Triggers: after each command, the earliest-accepted pending order whose trigger
 *   holds at its source price is released, runs to completion, and the search
 *   repeats until none holds (cascade).
 *
 * Complexity: O(levels) per level insert or removal, O(queue) per cancel; fine for
 * an oracle, never used on a hot path.
 */
import { OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource, type AccountId, type OrderId } from '@perpcore/domain';
import {
  bandLimitTicks,
  isConditional,
  isInRange,
  isMarketLike,
  isValidAccountId,
  isValidCancelReason,
  isValidOrderId,
  requireBookConfig,
  triggerHolds,
  validatePlace,
} from './book-rules.js';
import {
  CancelReason,
  MatchingReject,
  type AmendOrderCommand,
  type BookEventSink,
  type CancelOrderCommand,
  type OrderBook,
  type OrderBookConfig,
  type OrderBookFactory,
  type PlaceOrderCommand,
  type RestingOrderView,
} from './order-book.js';
import { StateHasher } from './state-hasher.js';
import { type BookOrderState, type BookState, canonicalAccountOrder, checkBookState } from './book-state.js';

interface RefOrder {
  id: OrderId;
  account: AccountId;
  side: Side;
  type: OrderType;
  tif: TimeInForce;
  stp: SelfTradePrevention;
  reduceOnly: boolean;
  /** Limit price; 0 for market-like orders. */
  price: number;
  remaining: number;
  trigger: number;
  triggerSource: TriggerSource | 0;
  /** Acceptance order: cancelAll and the trigger search go by it. */
  seq: number;
  pending: boolean;
}

interface RefLevel {
  price: number;
  orders: RefOrder[];
}

class ReferenceOrderBook implements OrderBook {
  private readonly config: OrderBookConfig;
  private readonly bids: RefLevel[] = [];
  private readonly asks: RefLevel[] = [];
  private readonly pending: RefOrder[] = [];
  private readonly live = new Map<OrderId, RefOrder>();
  private seq = 0;
  private lastTrade = 0;
  private mark = 0;

  constructor(
    config: OrderBookConfig,
    private readonly sink: BookEventSink,
  ) {
    this.config = requireBookConfig(config);
  }

  place(cmd: PlaceOrderCommand): void {
    const code = validatePlace(cmd, this.config);
    if (code !== null) return this.reject(cmd.orderId, cmd.accountId, code);
    if (this.live.has(cmd.orderId)) return this.reject(cmd.orderId, cmd.accountId, MatchingReject.DuplicateOrderId);
    const conditional = isConditional(cmd.type);
    const marketLike = isMarketLike(cmd.type);
    if (conditional && triggerHolds(cmd.type, cmd.side, cmd.triggerPriceTicks, this.sourcePrice(cmd.triggerSource))) {
      return this.reject(cmd.orderId, cmd.accountId, MatchingReject.InvalidTrigger);
    }
    if (cmd.timeInForce === TimeInForce.PostOnly && this.crossesOpposite(cmd.side, cmd.priceTicks)) {
      return this.reject(cmd.orderId, cmd.accountId, MatchingReject.PostOnlyWouldTake);
    }
    let limit = cmd.priceTicks;
    if (cmd.type === OrderType.Market) {
      const ref = this.referencePrice(cmd.side);
      if (ref === 0) return this.reject(cmd.orderId, cmd.accountId, MatchingReject.NoReferencePrice);
      limit = bandLimitTicks(cmd.side, ref, this.config.priceBandE8);
    }
    const order: RefOrder = {
      id: cmd.orderId,
      account: cmd.accountId,
      side: cmd.side,
      type: cmd.type,
      tif: cmd.timeInForce,
      stp: cmd.selfTradePrevention,
      reduceOnly: cmd.reduceOnly,
      price: marketLike ? 0 : cmd.priceTicks,
      remaining: cmd.qtyLots,
      trigger: conditional ? cmd.triggerPriceTicks : 0,
      triggerSource: conditional ? cmd.triggerSource : 0,
      seq: ++this.seq,
      pending: conditional,
    };
    this.sink.onAccepted({
      orderId: order.id,
      accountId: order.account,
      side: order.side,
      type: order.type,
      timeInForce: order.tif,
      priceTicks: order.price,
      qtyLots: order.remaining,
      triggerPriceTicks: order.trigger,
      reduceOnly: order.reduceOnly,
    });
    if (conditional) {
      this.live.set(order.id, order);
      this.pending.push(order);
      return;
    }
    this.execute(order, limit, cmd.type === OrderType.Market);
    this.releaseTriggered();
  }

  cancel(cmd: CancelOrderCommand): void {
    const order = this.findOwned(cmd.orderId, cmd.accountId);
    if (order === undefined) return;
    this.cancelLive(order, CancelReason.UserRequested);
  }

  amend(cmd: AmendOrderCommand): void {
    if (!isValidOrderId(cmd.orderId)) return this.reject(cmd.orderId, cmd.accountId, MatchingReject.InvalidOrderId);
    if (!isValidAccountId(cmd.accountId)) return this.reject(cmd.orderId, cmd.accountId, MatchingReject.InvalidAccount);
    if (!isInRange(cmd.priceTicks, this.config.maxPriceTicks)) return this.reject(cmd.orderId, cmd.accountId, MatchingReject.InvalidPrice);
    if (!isInRange(cmd.qtyLots, this.config.maxQtyLots)) return this.reject(cmd.orderId, cmd.accountId, MatchingReject.InvalidQuantity);
    const order = this.findOwned(cmd.orderId, cmd.accountId);
    if (order === undefined) return;
    if (order.pending) return this.reject(cmd.orderId, cmd.accountId, MatchingReject.InvalidOrderType);
    const keepsPriority = cmd.priceTicks === order.price && cmd.qtyLots <= order.remaining;
    if (!keepsPriority && order.tif === TimeInForce.PostOnly && this.crossesOpposite(order.side, cmd.priceTicks)) {
      return this.reject(cmd.orderId, cmd.accountId, MatchingReject.PostOnlyWouldTake);
    }
    this.sink.onAmended({
      orderId: order.id,
      accountId: order.account,
      side: order.side,
      oldPriceTicks: order.price,
      oldQtyLots: order.remaining,
      priceTicks: cmd.priceTicks,
      qtyLots: cmd.qtyLots,
      keptPriority: keepsPriority,
    });
    const level = this.levelOf(order.side, order.price)!;
    if (keepsPriority) {
      order.remaining = cmd.qtyLots;
      this.emitDelta(order.side, level);
      return;
    }
    level.orders.splice(level.orders.indexOf(order), 1);
    this.dropEmptyLevel(order.side, level);
    this.emitDelta(order.side, level);
    order.price = cmd.priceTicks;
    order.remaining = cmd.qtyLots;
    this.execute(order, order.price, false);
    this.releaseTriggered();
  }

  cancelAll(accountId: AccountId, reason: CancelReason = CancelReason.CancelAll): void {
    if (!isValidAccountId(accountId)) return this.reject(0, accountId, MatchingReject.InvalidAccount);
    if (!isValidCancelReason(reason)) return this.reject(0, accountId, MatchingReject.InvalidCancelReason);
    const mine = [...this.live.values()].filter((o) => o.account === accountId).sort((a, b) => a.seq - b.seq);
    for (const order of mine) this.cancelLive(order, reason);
  }

  setMarkPrice(priceTicks: number): void {
    if (!isInRange(priceTicks, this.config.maxPriceTicks)) return this.reject(0, 0, MatchingReject.InvalidPrice);
    this.mark = priceTicks;
    this.releaseTriggered();
  }

  bestBidTicks(): number {
    return this.bids.length > 0 ? this.bids[0].price : 0;
  }

  bestAskTicks(): number {
    return this.asks.length > 0 ? this.asks[0].price : 0;
  }

  lastTradeTicks(): number {
    return this.lastTrade;
  }

  restingOrderCount(): number {
    let n = 0;
    for (const level of [...this.bids, ...this.asks]) n += level.orders.length;
    return n;
  }

  levelQtyLots(side: Side, priceTicks: number): number {
    const level = this.levelOf(side, priceTicks);
    return level === undefined ? 0 : levelQty(level);
  }

  forEachLevel(side: Side, maxLevels: number, visit: (priceTicks: number, qtyLots: number) => void): void {
    const levels = this.sideLevels(side);
    for (let i = 0; i < levels.length && i < maxLevels; i++) visit(levels[i].price, levelQty(levels[i]));
  }

  forEachRestingOrder(
    side: Side,
    visit: (orderId: OrderId, accountId: AccountId, priceTicks: number, remainingLots: number) => void,
  ): void {
    for (const level of this.sideLevels(side)) {
      for (const o of level.orders) visit(o.id, o.account, o.price, o.remaining);
    }
  }

  getOrder(orderId: OrderId): RestingOrderView | undefined {
    const o = this.live.get(orderId);
    if (o === undefined || o.pending) return undefined;
    return { orderId: o.id, accountId: o.account, side: o.side, priceTicks: o.price, remainingLots: o.remaining };
  }

  stateHash(): string {
    const h = new StateHasher();
    for (const levels of [this.bids, this.asks]) {
      h.add(levels.length);
      for (const level of levels) {
        h.add(level.price);
        h.add(level.orders.length);
        for (const o of level.orders) {
          h.add(o.id);
          h.add(o.account);
          h.add(o.remaining);
          h.add(o.tif);
          h.add(o.stp);
          h.add(o.reduceOnly ? 1 : 0);
        }
      }
    }
    h.add(this.pending.length);
    for (const o of this.pending) {
      h.add(o.id);
      h.add(o.account);
      h.addSide(o.side);
      h.add(o.type);
      h.add(o.tif);
      h.add(o.stp);
      h.add(o.reduceOnly ? 1 : 0);
      h.add(o.price);
      h.add(o.remaining);
      h.add(o.trigger);
      h.add(o.triggerSource);
    }
    h.add(this.lastTrade);
    h.add(this.mark);
    return h.digest();
  }

  exportState(): BookState {
    const live = [...this.live.values()].sort((a, b) => a.seq - b.seq);
    return {
      bids: this.bids.flatMap((l) => l.orders.map(orderState)),
      asks: this.asks.flatMap((l) => l.orders.map(orderState)),
      pending: this.pending.map(orderState),
      accountOrder: canonicalAccountOrder(live.map((o) => [o.account, o.id])),
      lastTradeTicks: this.lastTrade,
      markTicks: this.mark,
    };
  }

  importState(state: BookState): void {
    if (this.live.size > 0 || this.lastTrade !== 0 || this.mark !== 0) throw new RangeError('importState needs an empty book');
    checkBookState(state);
    const rank = new Map(state.accountOrder.map((id, i) => [id, i + 1]));
    const load = (o: BookOrderState, pending: boolean): RefOrder => {
      const order: RefOrder = {
        id: o.orderId,
        account: o.accountId,
        side: o.side,
        type: o.type,
        tif: o.timeInForce,
        stp: o.selfTradePrevention,
        reduceOnly: o.reduceOnly,
        price: o.priceTicks,
        remaining: o.remainingLots,
        trigger: o.triggerPriceTicks,
        triggerSource: o.triggerSource,
        seq: rank.get(o.orderId) as number,
        pending,
      };
      this.live.set(order.id, order);
      return order;
    };
    for (const [orders, levels] of [[state.bids, this.bids], [state.asks, this.asks]] as const) {
      for (const o of orders) {
        const last = levels[levels.length - 1];
        if (last !== undefined && last.price === o.priceTicks) last.orders.push(load(o, false));
        else levels.push({ price: o.priceTicks, orders: [load(o, false)] });
      }
    }
    for (const o of state.pending) this.pending.push(load(o, true));
    this.seq = state.accountOrder.length;
    this.lastTrade = state.lastTradeTicks;
    this.mark = state.markTicks;
  }

  /** Matches `taker` against the opposite side up to `limit`, then rests, or cancels the remainder. */
  private execute(taker: RefOrder, limit: number, isMarket: boolean): void {
    // a released stop or an amended order is already live; it stays so only if it rests
    this.live.delete(taker.id);
    if (taker.tif === TimeInForce.FillOrKill && !this.canFillWhole(taker, limit)) {
      return this.emitCanceled(taker, taker.remaining, CancelReason.Unfilled);
    }
    const opposite = this.sideLevels(-taker.side as Side);
    let stoppedBySelfTrade = false;
    while (taker.remaining > 0 && opposite.length > 0 && crosses(taker.side, opposite[0].price, limit)) {
      const level = opposite[0];
      const maker = level.orders[0];
      if (maker.account === taker.account && taker.stp !== SelfTradePrevention.None) {
        if (taker.stp === SelfTradePrevention.CancelTaker) {
          stoppedBySelfTrade = true;
          break;
        }
        this.removeResting(maker, level);
        this.emitCanceled(maker, maker.remaining, CancelReason.SelfTradePrevention);
        this.emitDelta(maker.side, level);
        if (taker.stp === SelfTradePrevention.CancelBoth) {
          stoppedBySelfTrade = true;
          break;
        }
        continue;
      }
      const qty = Math.min(taker.remaining, maker.remaining);
      taker.remaining -= qty;
      maker.remaining -= qty;
      this.lastTrade = level.price;
      if (maker.remaining === 0) this.removeResting(maker, level);
      this.sink.onFill({
        makerOrderId: maker.id,
        makerAccountId: maker.account,
        takerOrderId: taker.id,
        takerAccountId: taker.account,
        takerSide: taker.side,
        priceTicks: level.price,
        qtyLots: qty,
        makerRemainingLots: maker.remaining,
        takerRemainingLots: taker.remaining,
      });
      this.emitDelta(maker.side, level);
    }
    if (taker.remaining === 0) return;
    if (stoppedBySelfTrade) return this.emitCanceled(taker, taker.remaining, CancelReason.SelfTradePrevention);
    if (isMarket) {
      return this.emitCanceled(taker, taker.remaining, opposite.length > 0 ? CancelReason.PriceBand : CancelReason.Unfilled);
    }
    if (taker.tif === TimeInForce.GoodTillCancel || taker.tif === TimeInForce.PostOnly) {
      this.rest(taker);
      return;
    }
    this.emitCanceled(taker, taker.remaining, CancelReason.Unfilled);
  }

  /** FOK pre-check: would the walk fill the whole quantity (own orders skipped or stopping as STP says)? */
  private canFillWhole(taker: RefOrder, limit: number): boolean {
    let need = taker.remaining;
    for (const level of this.sideLevels(-taker.side as Side)) {
      if (!crosses(taker.side, level.price, limit)) return false;
      for (const maker of level.orders) {
        if (maker.account === taker.account && taker.stp !== SelfTradePrevention.None) {
          if (taker.stp === SelfTradePrevention.CancelMaker) continue;
          return false;
        }
        need -= maker.remaining;
        if (need <= 0) return true;
      }
    }
    return false;
  }

  private rest(order: RefOrder): void {
    const levels = this.sideLevels(order.side);
    let i = 0;
    while (i < levels.length && isBetter(order.side, levels[i].price, order.price)) i++;
    let level = levels[i];
    if (level === undefined || level.price !== order.price) {
      level = { price: order.price, orders: [] };
      levels.splice(i, 0, level);
    }
    level.orders.push(order);
    this.live.set(order.id, order);
    this.emitDelta(order.side, level);
  }

  /** The earliest-accepted pending order whose trigger holds, one at a time, until none does. */
  private releaseTriggered(): void {
    for (;;) {
      const order = this.pending.find((o) => triggerHolds(o.type, o.side, o.trigger, this.sourcePrice(o.triggerSource)));
      if (order === undefined) return;
      this.pending.splice(this.pending.indexOf(order), 1);
      order.pending = false;
      this.sink.onTriggered({
        orderId: order.id,
        accountId: order.account,
        triggerPriceTicks: order.trigger,
        crossingPriceTicks: this.sourcePrice(order.triggerSource),
      });
      const isMarket = isMarketLike(order.type);
      const limit = isMarket ? bandLimitTicks(order.side, this.referencePrice(order.side), this.config.priceBandE8) : order.price;
      this.execute(order, limit, isMarket);
    }
  }

  private cancelLive(order: RefOrder, reason: CancelReason): void {
    if (order.pending) {
      this.pending.splice(this.pending.indexOf(order), 1);
      this.live.delete(order.id);
      this.emitCanceled(order, order.remaining, reason);
      return;
    }
    const level = this.levelOf(order.side, order.price)!;
    this.removeResting(order, level);
    this.emitCanceled(order, order.remaining, reason);
    this.emitDelta(order.side, level);
  }

  private findOwned(orderId: OrderId, accountId: AccountId): RefOrder | undefined {
    if (!isValidOrderId(orderId)) return void this.reject(orderId, accountId, MatchingReject.InvalidOrderId);
    if (!isValidAccountId(accountId)) return void this.reject(orderId, accountId, MatchingReject.InvalidAccount);
    const order = this.live.get(orderId);
    if (order === undefined) return void this.reject(orderId, accountId, MatchingReject.UnknownOrder);
    if (order.account !== accountId) return void this.reject(orderId, accountId, MatchingReject.NotOrderOwner);
    return order;
  }

  private removeResting(order: RefOrder, level: RefLevel): void {
    level.orders.splice(level.orders.indexOf(order), 1);
    this.live.delete(order.id);
    this.dropEmptyLevel(order.side, level);
  }

  private dropEmptyLevel(side: Side, level: RefLevel): void {
    if (level.orders.length > 0) return;
    const levels = this.sideLevels(side);
    levels.splice(levels.indexOf(level), 1);
  }

  private emitDelta(side: Side, level: RefLevel): void {
    this.sink.onBookDelta({ side, priceTicks: level.price, levelQtyLots: levelQty(level) });
  }

  private emitCanceled(order: RefOrder, canceledLots: number, reason: CancelReason): void {
    this.sink.onCanceled({
      orderId: order.id,
      accountId: order.account,
      side: order.side,
      priceTicks: order.price,
      canceledLots,
      reason,
    });
  }

  private reject(orderId: OrderId, accountId: AccountId, code: MatchingReject): void {
    this.sink.onRejected({ orderId, accountId, code });
  }

  private sideLevels(side: Side): RefLevel[] {
    return side === Side.Buy ? this.bids : this.asks;
  }

  private levelOf(side: Side, priceTicks: number): RefLevel | undefined {
    return this.sideLevels(side).find((l) => l.price === priceTicks);
  }

  private crossesOpposite(side: Side, priceTicks: number): boolean {
    const best = side === Side.Buy ? this.bestAskTicks() : this.bestBidTicks();
    return best !== 0 && crosses(side, best, priceTicks);
  }

  /** Market-order band reference: mark, else last trade, else the best opposite price (0 = none). */
  private referencePrice(side: Side): number {
    if (this.mark !== 0) return this.mark;
    if (this.lastTrade !== 0) return this.lastTrade;
    return side === Side.Buy ? this.bestAskTicks() : this.bestBidTicks();
  }

  private sourcePrice(source: TriggerSource | 0): number {
    return source === TriggerSource.MarkPrice ? this.mark : this.lastTrade;
  }
}

function orderState(o: RefOrder): BookOrderState {
  return {
    orderId: o.id,
    accountId: o.account,
    side: o.side,
    type: o.type,
    timeInForce: o.tif,
    selfTradePrevention: o.stp,
    reduceOnly: o.reduceOnly,
    priceTicks: o.price,
    remainingLots: o.remaining,
    triggerPriceTicks: o.trigger,
    triggerSource: o.triggerSource,
  };
}

/** Whether a taker of `side` with limit `limit` trades against a maker at `makerPrice`. */
function crosses(side: Side, makerPrice: number, limit: number): boolean {
  return side === Side.Buy ? makerPrice <= limit : makerPrice >= limit;
}

/** Whether `a` is a strictly better resting price than `b` on `side`. */
function isBetter(side: Side, a: number, b: number): boolean {
  return side === Side.Buy ? a > b : a < b;
}

function levelQty(level: RefLevel): number {
  let qty = 0;
  for (const o of level.orders) qty += o.remaining;
  return qty;
}

export const createReferenceOrderBook: OrderBookFactory = (config, sink) => new ReferenceOrderBook(config, sink);
