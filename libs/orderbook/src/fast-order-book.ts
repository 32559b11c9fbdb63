/**
 * The fast order book: same semantics and events as the reference book, built for
 * the matching hot path.
 *
 * Layout
 * - Orders: struct of typed arrays (`OrderPool`), pooled slots, an intrusive doubly
 *   linked FIFO per price level, an intrusive list per account (for cancelAll) and one
 *   list of untriggered orders in acceptance order (`TriggerList`).
 * - Levels: `LevelStore` (head, tail, total quantity), found by tick through a
 *   `PriceLadder`: direct Int32Array + per-side hierarchical bitmaps when
 *   `maxPriceTicks ≤ 2^24`, else a hash plus sorted price arrays.
 * - Order id → slot: `PositiveIntHash` (open addressing in typed arrays).
 * - Events: reused structs (`BookEvents`).
 *
 * Invariants: after every command the book is not crossed; each level's quantity is
 * the sum of its orders' remaining lots; every live order is in the id index and its
 * account's list; no allocation on the matching path once pools are sized (growth
 * doubles a pool: size it with `initialOrderCapacity`).
 *
 * Complexity: place / cancel / amend O(1) plus O(fills) and O(log32 range) per level
 * emptied; trigger release O(untriggered orders) per scan, skipped in O(1) when no
 * trigger can hold. Sinks must not call back into the book while it emits.
 */
import { OrderType, SelfTradePrevention, TimeInForce, TriggerSource, type AccountId, type OrderId, type Side } from '@perpcore/domain';
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
import { AccountOrders } from './fast/account-orders.js';
import { BookEvents } from './fast/book-events.js';
import { DirectPriceLadder } from './fast/direct-price-ladder.js';
import type { LevelStore } from './fast/level-store.js';
import { FLAG_REDUCE_ONLY, IN_FLIGHT, NO_SLOT, OrderPool, PENDING } from './fast/order-pool.js';
import { PositiveIntHash } from './fast/positive-int-hash.js';
import { DIRECT_LADDER_MAX_TICKS, type PriceLadder } from './fast/price-ladder.js';
import { SparsePriceLadder } from './fast/sparse-price-ladder.js';
import { TriggerList } from './fast/trigger-list.js';
import { exportFastBook, importFastBook } from './fast/fast-book-state.js';
import { appendToLevel } from './fast/level-queue.js';
import type { BookState } from './book-state.js';
import {
  CancelReason,
  MatchingReject,
  type AmendOrderCommand,
  type BookEventSink,
  type CancelOrderCommand,
  type OrderBook,
  type OrderBookConfig,
  type PlaceOrderCommand,
  type RestingOrderView,
} from './order-book.js';
import { StateHasher } from './state-hasher.js';

export interface FastOrderBookOptions {
  /** Expected live orders: pools and the id index are sized for it up front (default 4096). */
  initialOrderCapacity?: number;
}

class FastOrderBook implements OrderBook {
  private readonly config: OrderBookConfig;
  readonly pool: OrderPool;
  readonly ladder: PriceLadder;
  readonly levels: LevelStore;
  readonly ids: PositiveIntHash;
  readonly accounts: AccountOrders;
  readonly triggers: TriggerList;
  private readonly events: BookEvents;
  private readonly hasher = new StateHasher();
  private lastTrade = 0;
  private mark = 0;

  constructor(config: OrderBookConfig, sink: BookEventSink, options: FastOrderBookOptions) {
    this.config = requireBookConfig(config);
    const capacity = Math.max(1, options.initialOrderCapacity ?? 4096);
    this.pool = new OrderPool(capacity);
    const initialLevels = Math.min(capacity, 65_536);
    this.ladder =
      this.config.maxPriceTicks <= DIRECT_LADDER_MAX_TICKS
        ? new DirectPriceLadder(this.config.maxPriceTicks, initialLevels)
        : new SparsePriceLadder(initialLevels);
    this.levels = this.ladder.levels;
    this.ids = new PositiveIntHash(capacity);
    this.accounts = new AccountOrders(this.pool);
    this.triggers = new TriggerList(this.pool);
    this.events = new BookEvents(sink, this.pool);
  }

  place(cmd: PlaceOrderCommand): void {
    const code = validatePlace(cmd, this.config);
    if (code !== null) return this.events.rejected(cmd.orderId, cmd.accountId, code);
    if (this.ids.get(cmd.orderId) !== NO_SLOT) return this.events.rejected(cmd.orderId, cmd.accountId, MatchingReject.DuplicateOrderId);
    const type = cmd.type;
    const side = cmd.side;
    const conditional = isConditional(type);
    if (conditional && triggerHolds(type, side, cmd.triggerPriceTicks, this.sourcePrice(cmd.triggerSource))) {
      return this.events.rejected(cmd.orderId, cmd.accountId, MatchingReject.InvalidTrigger);
    }
    if (cmd.timeInForce === TimeInForce.PostOnly && this.crossesOpposite(side, cmd.priceTicks)) {
      return this.events.rejected(cmd.orderId, cmd.accountId, MatchingReject.PostOnlyWouldTake);
    }
    let limit = cmd.priceTicks;
    if (type === OrderType.Market) {
      const ref = this.referencePrice(side);
      if (ref === 0) return this.events.rejected(cmd.orderId, cmd.accountId, MatchingReject.NoReferencePrice);
      limit = bandLimitTicks(side, ref, this.config.priceBandE8);
    }
    const slot = this.pool.alloc();
    const pool = this.pool;
    pool.orderId[slot] = cmd.orderId;
    pool.account[slot] = cmd.accountId;
    pool.side[slot] = side;
    pool.type[slot] = type;
    pool.tif[slot] = cmd.timeInForce;
    pool.stp[slot] = cmd.selfTradePrevention;
    pool.flags[slot] = cmd.reduceOnly ? FLAG_REDUCE_ONLY : 0;
    pool.price[slot] = isMarketLike(type) ? 0 : cmd.priceTicks;
    pool.remaining[slot] = cmd.qtyLots;
    pool.trigger[slot] = conditional ? cmd.triggerPriceTicks : 0;
    pool.triggerSource[slot] = conditional ? cmd.triggerSource : 0;
    this.events.accepted(slot);
    if (conditional) {
      pool.level[slot] = PENDING;
      this.register(slot);
      this.triggers.add(slot);
      return;
    }
    this.execute(slot, limit, type === OrderType.Market);
    if (this.triggers.count > 0) this.releaseTriggered();
  }

  cancel(cmd: CancelOrderCommand): void {
    const slot = this.findOwned(cmd.orderId, cmd.accountId);
    if (slot !== NO_SLOT) this.cancelLive(slot, CancelReason.UserRequested);
  }

  amend(cmd: AmendOrderCommand): void {
    const { orderId, accountId, priceTicks, qtyLots } = cmd;
    if (!isValidOrderId(orderId)) return this.events.rejected(orderId, accountId, MatchingReject.InvalidOrderId);
    if (!isValidAccountId(accountId)) return this.events.rejected(orderId, accountId, MatchingReject.InvalidAccount);
    if (!isInRange(priceTicks, this.config.maxPriceTicks)) return this.events.rejected(orderId, accountId, MatchingReject.InvalidPrice);
    if (!isInRange(qtyLots, this.config.maxQtyLots)) return this.events.rejected(orderId, accountId, MatchingReject.InvalidQuantity);
    const slot = this.findOwned(orderId, accountId);
    if (slot === NO_SLOT) return;
    const pool = this.pool;
    const level = pool.level[slot];
    if (level === PENDING) return this.events.rejected(orderId, accountId, MatchingReject.InvalidOrderType);
    const side = pool.side[slot];
    const oldPrice = pool.price[slot];
    const oldQty = pool.remaining[slot];
    const keepsPriority = priceTicks === oldPrice && qtyLots <= oldQty;
    if (!keepsPriority && pool.tif[slot] === TimeInForce.PostOnly && this.crossesOpposite(side, priceTicks)) {
      return this.events.rejected(orderId, accountId, MatchingReject.PostOnlyWouldTake);
    }
    this.events.amended(slot, priceTicks, qtyLots, keepsPriority);
    const levels = this.levels;
    if (keepsPriority) {
      pool.remaining[slot] = qtyLots;
      levels.qty[level] -= oldQty - qtyLots;
      return this.events.delta(side, oldPrice, levels.qty[level]);
    }
    this.unlink(slot, level);
    const left = levels.qty[level];
    if (levels.head[level] === NO_SLOT) this.ladder.remove(level);
    this.events.delta(side, oldPrice, left);
    pool.price[slot] = priceTicks;
    pool.remaining[slot] = qtyLots;
    pool.level[slot] = IN_FLIGHT;
    this.execute(slot, priceTicks, false);
    if (this.triggers.count > 0) this.releaseTriggered();
  }

  cancelAll(accountId: AccountId, reason: CancelReason = CancelReason.CancelAll): void {
    if (!isValidAccountId(accountId)) return this.events.rejected(0, accountId, MatchingReject.InvalidAccount);
    if (!isValidCancelReason(reason)) return this.events.rejected(0, accountId, MatchingReject.InvalidCancelReason);
    let slot = this.accounts.first(accountId);
    while (slot !== NO_SLOT) {
      const next = this.pool.acctNext[slot];
      this.cancelLive(slot, reason);
      slot = next;
    }
  }

  setMarkPrice(priceTicks: number): void {
    if (!isInRange(priceTicks, this.config.maxPriceTicks)) return this.events.rejected(0, 0, MatchingReject.InvalidPrice);
    this.mark = priceTicks;
    if (this.triggers.count > 0) this.releaseTriggered();
  }

  bestBidTicks(): number {
    const level = this.ladder.best(1);
    return level < 0 ? 0 : this.levels.price[level];
  }

  bestAskTicks(): number {
    const level = this.ladder.best(-1);
    return level < 0 ? 0 : this.levels.price[level];
  }

  lastTradeTicks(): number {
    return this.lastTrade;
  }

  restingOrderCount(): number {
    return this.pool.liveCount - this.triggers.count;
  }

  levelQtyLots(side: Side, priceTicks: number): number {
    if (!isInRange(priceTicks, this.config.maxPriceTicks)) return 0;
    const level = this.ladder.find(priceTicks);
    return level >= 0 && this.levels.side[level] === side ? this.levels.qty[level] : 0;
  }

  forEachLevel(side: Side, maxLevels: number, visit: (priceTicks: number, qtyLots: number) => void): void {
    let n = 0;
    for (let level = this.ladder.best(side); level >= 0 && n < maxLevels; level = this.ladder.next(level), n++) {
      visit(this.levels.price[level], this.levels.qty[level]);
    }
  }

  forEachRestingOrder(
    side: Side,
    visit: (orderId: OrderId, accountId: AccountId, priceTicks: number, remainingLots: number) => void,
  ): void {
    const pool = this.pool;
    for (let level = this.ladder.best(side); level >= 0; level = this.ladder.next(level)) {
      for (let s = this.levels.head[level]; s !== NO_SLOT; s = pool.next[s]) {
        visit(pool.orderId[s], pool.account[s], pool.price[s], pool.remaining[s]);
      }
    }
  }

  getOrder(orderId: OrderId): RestingOrderView | undefined {
    if (!isValidOrderId(orderId)) return undefined;
    const slot = this.ids.get(orderId);
    if (slot === NO_SLOT || this.pool.level[slot] === PENDING) return undefined;
    const pool = this.pool;
    return { orderId, accountId: pool.account[slot], side: pool.side[slot] as Side, priceTicks: pool.price[slot], remainingLots: pool.remaining[slot] };
  }

  stateHash(): string {
    const h = this.hasher;
    const pool = this.pool;
    h.reset();
    for (const side of [1, -1]) {
      let count = 0;
      for (let level = this.ladder.best(side); level >= 0; level = this.ladder.next(level)) count++;
      h.add(count);
      for (let level = this.ladder.best(side); level >= 0; level = this.ladder.next(level)) {
        h.add(this.levels.price[level]);
        let orders = 0;
        for (let s = this.levels.head[level]; s !== NO_SLOT; s = pool.next[s]) orders++;
        h.add(orders);
        for (let s = this.levels.head[level]; s !== NO_SLOT; s = pool.next[s]) {
          h.add(pool.orderId[s]);
          h.add(pool.account[s]);
          h.add(pool.remaining[s]);
          h.add(pool.tif[s]);
          h.add(pool.stp[s]);
          h.add(pool.flags[s] & FLAG_REDUCE_ONLY);
        }
      }
    }
    h.add(this.triggers.count);
    for (let s = this.triggers.head; s !== NO_SLOT; s = pool.next[s]) {
      h.add(pool.orderId[s]);
      h.add(pool.account[s]);
      h.addSide(pool.side[s]);
      h.add(pool.type[s]);
      h.add(pool.tif[s]);
      h.add(pool.stp[s]);
      h.add(pool.flags[s] & FLAG_REDUCE_ONLY);
      h.add(pool.price[s]);
      h.add(pool.remaining[s]);
      h.add(pool.trigger[s]);
      h.add(pool.triggerSource[s]);
    }
    h.add(this.lastTrade);
    h.add(this.mark);
    return h.digest();
  }

  exportState(): BookState {
    return exportFastBook(this, this.lastTrade, this.mark);
  }

  importState(state: BookState): void {
    if (this.lastTrade !== 0 || this.mark !== 0) throw new RangeError('importState needs an empty book');
    importFastBook(this, state);
    this.lastTrade = state.lastTradeTicks;
    this.mark = state.markTicks;
  }

  /**
   * Matches the in-flight `taker` against the opposite side up to `limit`, then rests
   * it (GTC, post-only) or cancels its remainder. Mirrors the reference book's
   * `execute`, event for event.
   */
  private execute(taker: number, limit: number, isMarket: boolean): void {
    const pool = this.pool;
    const levels = this.levels;
    const ladder = this.ladder;
    const events = this.events;
    const side = pool.side[taker];
    const opposite = -side;
    const account = pool.account[taker];
    const stp = pool.stp[taker];
    const tif = pool.tif[taker];
    let remaining = pool.remaining[taker];
    if (tif === TimeInForce.FillOrKill && !this.canFillWhole(taker, limit)) {
      events.canceled(taker, remaining, CancelReason.Unfilled);
      return this.retire(taker);
    }
    let stoppedBySelfTrade = false;
    let level = ladder.best(opposite);
    while (remaining > 0 && level >= 0) {
      const levelPrice = levels.price[level];
      if (side > 0 ? levelPrice > limit : levelPrice < limit) break;
      let maker = levels.head[level];
      while (remaining > 0 && maker !== NO_SLOT) {
        const next = pool.next[maker];
        let makerLeft = pool.remaining[maker];
        if (stp !== SelfTradePrevention.None && pool.account[maker] === account) {
          if (stp === SelfTradePrevention.CancelTaker) {
            stoppedBySelfTrade = true;
            break;
          }
          this.unlink(maker, level);
          events.canceled(maker, makerLeft, CancelReason.SelfTradePrevention);
          events.delta(opposite, levelPrice, levels.qty[level]);
          this.retire(maker);
          maker = next;
          if (stp === SelfTradePrevention.CancelBoth) {
            stoppedBySelfTrade = true;
            break;
          }
          continue;
        }
        const qty = remaining < makerLeft ? remaining : makerLeft;
        remaining -= qty;
        makerLeft -= qty;
        pool.remaining[maker] = makerLeft;
        levels.qty[level] -= qty;
        this.lastTrade = levelPrice;
        pool.remaining[taker] = remaining;
        events.fill(maker, taker, levelPrice, qty, makerLeft, remaining);
        if (makerLeft === 0) {
          levels.head[level] = next;
          if (next === NO_SLOT) levels.tail[level] = NO_SLOT;
          else pool.prev[next] = NO_SLOT;
          events.delta(opposite, levelPrice, levels.qty[level]);
          this.retire(maker);
        } else {
          events.delta(opposite, levelPrice, levels.qty[level]);
        }
        maker = next;
      }
      if (levels.head[level] !== NO_SLOT) break;
      ladder.remove(level);
      if (stoppedBySelfTrade) break;
      level = ladder.best(opposite);
    }
    pool.remaining[taker] = remaining;
    if (remaining === 0) return this.retire(taker);
    if (stoppedBySelfTrade) {
      events.canceled(taker, remaining, CancelReason.SelfTradePrevention);
    } else if (isMarket) {
      events.canceled(taker, remaining, ladder.best(opposite) >= 0 ? CancelReason.PriceBand : CancelReason.Unfilled);
    } else if (tif === TimeInForce.GoodTillCancel || tif === TimeInForce.PostOnly) {
      return this.rest(taker);
    } else {
      events.canceled(taker, remaining, CancelReason.Unfilled);
    }
    this.retire(taker);
  }

  /** FOK pre-check: would the walk fill the whole quantity (own orders skipped or stopping as STP says)? */
  private canFillWhole(taker: number, limit: number): boolean {
    const pool = this.pool;
    const side = pool.side[taker];
    const account = pool.account[taker];
    const stp = pool.stp[taker];
    let need = pool.remaining[taker];
    for (let level = this.ladder.best(-side); level >= 0; level = this.ladder.next(level)) {
      const levelPrice = this.levels.price[level];
      if (side > 0 ? levelPrice > limit : levelPrice < limit) return false;
      for (let s = this.levels.head[level]; s !== NO_SLOT; s = pool.next[s]) {
        if (stp !== SelfTradePrevention.None && pool.account[s] === account) {
          if (stp === SelfTradePrevention.CancelMaker) continue;
          return false;
        }
        need -= pool.remaining[s];
        if (need <= 0) return true;
      }
    }
    return false;
  }

  /** Appends the in-flight `slot` to the back of its price level. */
  private rest(slot: number): void {
    const pool = this.pool;
    const level = appendToLevel(pool, this.ladder, this.levels, slot);
    if (pool.acctRec[slot] === NO_SLOT) this.register(slot);
    this.events.delta(pool.side[slot], pool.price[slot], this.levels.qty[level]);
  }

  /** Releases triggered orders one at a time, earliest-accepted first, until none holds. */
  private releaseTriggered(): void {
    const pool = this.pool;
    for (;;) {
      const slot = this.triggers.firstHolding(this.lastTrade, this.mark);
      if (slot === NO_SLOT) return;
      this.triggers.remove(slot);
      pool.level[slot] = IN_FLIGHT;
      this.events.triggered(slot, pool.triggerSource[slot] === TriggerSource.MarkPrice ? this.mark : this.lastTrade);
      const type = pool.type[slot] as OrderType;
      if (isMarketLike(type)) {
        const side = pool.side[slot] as Side;
        this.execute(slot, bandLimitTicks(side, this.referencePrice(side), this.config.priceBandE8), true);
      } else {
        this.execute(slot, pool.price[slot], false);
      }
    }
  }

  private cancelLive(slot: number, reason: CancelReason): void {
    const pool = this.pool;
    const level = pool.level[slot];
    const remaining = pool.remaining[slot];
    if (level === PENDING) {
      this.triggers.remove(slot);
      this.events.canceled(slot, remaining, reason);
      return this.retire(slot);
    }
    this.unlink(slot, level);
    const left = this.levels.qty[level];
    const price = this.levels.price[level];
    if (this.levels.head[level] === NO_SLOT) this.ladder.remove(level);
    this.events.canceled(slot, remaining, reason);
    this.events.delta(pool.side[slot], price, left);
    this.retire(slot);
  }

  /** Takes `slot` out of its level's FIFO and the level total. */
  private unlink(slot: number, level: number): void {
    const pool = this.pool;
    const levels = this.levels;
    const prev = pool.prev[slot];
    const next = pool.next[slot];
    if (prev === NO_SLOT) levels.head[level] = next;
    else pool.next[prev] = next;
    if (next === NO_SLOT) levels.tail[level] = prev;
    else pool.prev[next] = prev;
    levels.qty[level] -= pool.remaining[slot];
  }

  private register(slot: number): void {
    this.ids.set(this.pool.orderId[slot], slot);
    this.accounts.add(slot);
  }

  /** The order is done (filled or cancelled): forget it and free its slot. */
  private retire(slot: number): void {
    if (this.pool.acctRec[slot] !== NO_SLOT) {
      this.ids.delete(this.pool.orderId[slot]);
      this.accounts.remove(slot);
    }
    this.pool.release(slot);
  }

  private findOwned(orderId: OrderId, accountId: AccountId): number {
    if (!isValidOrderId(orderId)) return this.rejectSlot(orderId, accountId, MatchingReject.InvalidOrderId);
    if (!isValidAccountId(accountId)) return this.rejectSlot(orderId, accountId, MatchingReject.InvalidAccount);
    const slot = this.ids.get(orderId);
    if (slot === NO_SLOT) return this.rejectSlot(orderId, accountId, MatchingReject.UnknownOrder);
    if (this.pool.account[slot] !== accountId) return this.rejectSlot(orderId, accountId, MatchingReject.NotOrderOwner);
    return slot;
  }

  private rejectSlot(orderId: OrderId, accountId: AccountId, code: MatchingReject): number {
    this.events.rejected(orderId, accountId, code);
    return NO_SLOT;
  }

  private crossesOpposite(side: number, priceTicks: number): boolean {
    const best = this.ladder.best(-side);
    if (best < 0) return false;
    const bestPrice = this.levels.price[best];
    return side > 0 ? bestPrice <= priceTicks : bestPrice >= priceTicks;
  }

  /** Market-order band reference: mark, else last trade, else the best opposite price (0 = none). */
  private referencePrice(side: number): number {
    if (this.mark !== 0) return this.mark;
    if (this.lastTrade !== 0) return this.lastTrade;
    return side > 0 ? this.bestAskTicks() : this.bestBidTicks();
  }

  private sourcePrice(source: TriggerSource): number {
    return source === TriggerSource.MarkPrice ? this.mark : this.lastTrade;
  }
}

export function createFastOrderBook(config: OrderBookConfig, sink: BookEventSink, options: FastOrderBookOptions = {}): OrderBook {
  return new FastOrderBook(config, sink, options);
}
