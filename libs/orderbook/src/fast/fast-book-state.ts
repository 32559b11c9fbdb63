/**
 * `exportState` / `importState` of the fast book (book-state.ts), kept out of the
 * book's file: they walk the same structures the book does, off the hot path.
 *
 * Export walks each side's levels best first and each level's FIFO, the trigger list,
 * and every account's list (acceptance order). Import fills a fresh pool: resting
 * orders are appended to their levels in the given order (so queue order is the
 * exported one), untriggered orders to the trigger list, and each order is
 * registered in the id index and its account's list in `accountOrder`.
 */
import type { OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import { type BookOrderState, type BookState, canonicalAccountOrder, checkBookState } from '../book-state.js';
import type { AccountOrders } from './account-orders.js';
import { appendToLevel } from './level-queue.js';
import type { LevelStore } from './level-store.js';
import { FLAG_REDUCE_ONLY, NO_SLOT, type OrderPool, PENDING } from './order-pool.js';
import type { PositiveIntHash } from './positive-int-hash.js';
import type { PriceLadder } from './price-ladder.js';
import type { TriggerList } from './trigger-list.js';

export interface FastBookParts {
  readonly pool: OrderPool;
  readonly ladder: PriceLadder;
  readonly levels: LevelStore;
  readonly ids: PositiveIntHash;
  readonly accounts: AccountOrders;
  readonly triggers: TriggerList;
}

export function exportFastBook(b: FastBookParts, lastTradeTicks: number, markTicks: number): BookState {
  const { pool, ladder, levels } = b;
  const sideOrders = (side: number): BookOrderState[] => {
    const out: BookOrderState[] = [];
    for (let level = ladder.best(side); level >= 0; level = ladder.next(level)) {
      for (let s = levels.head[level]; s !== NO_SLOT; s = pool.next[s]) out.push(slotState(pool, s));
    }
    return out;
  };
  const pending: BookOrderState[] = [];
  for (let s = b.triggers.head; s !== NO_SLOT; s = pool.next[s]) pending.push(slotState(pool, s));
  const accepted: [number, number][] = [];
  b.accounts.forEachAccount((accountId, first) => {
    for (let s = first; s !== NO_SLOT; s = pool.acctNext[s]) accepted.push([accountId, pool.orderId[s]]);
  });
  return { bids: sideOrders(1), asks: sideOrders(-1), pending, accountOrder: canonicalAccountOrder(accepted), lastTradeTicks, markTicks };
}

/** Loads `state` into the (empty) book's structures. */
export function importFastBook(b: FastBookParts, state: BookState): void {
  if (b.pool.liveCount > 0) throw new RangeError('importState needs an empty book');
  checkBookState(state);
  const { pool, ladder, levels } = b;
  const slotOf = new Map<number, number>();
  for (const o of [...state.bids, ...state.asks]) {
    const slot = loadSlot(pool, o);
    appendToLevel(pool, ladder, levels, slot);
    slotOf.set(o.orderId, slot);
  }
  for (const o of state.pending) {
    const slot = loadSlot(pool, o);
    pool.level[slot] = PENDING;
    b.triggers.add(slot);
    slotOf.set(o.orderId, slot);
  }
  for (const id of state.accountOrder) {
    const slot = slotOf.get(id) as number;
    b.ids.set(id, slot);
    b.accounts.add(slot);
  }
}

function loadSlot(pool: OrderPool, o: BookOrderState): number {
  const slot = pool.alloc();
  pool.orderId[slot] = o.orderId;
  pool.account[slot] = o.accountId;
  pool.side[slot] = o.side;
  pool.type[slot] = o.type;
  pool.tif[slot] = o.timeInForce;
  pool.stp[slot] = o.selfTradePrevention;
  pool.flags[slot] = o.reduceOnly ? FLAG_REDUCE_ONLY : 0;
  pool.price[slot] = o.priceTicks;
  pool.remaining[slot] = o.remainingLots;
  pool.trigger[slot] = o.triggerPriceTicks;
  pool.triggerSource[slot] = o.triggerSource;
  return slot;
}

function slotState(pool: OrderPool, s: number): BookOrderState {
  return {
    orderId: pool.orderId[s],
    accountId: pool.account[s],
    side: pool.side[s] as Side,
    type: pool.type[s] as OrderType,
    timeInForce: pool.tif[s] as TimeInForce,
    selfTradePrevention: pool.stp[s] as SelfTradePrevention,
    reduceOnly: (pool.flags[s] & FLAG_REDUCE_ONLY) !== 0,
    priceTicks: pool.price[s],
    remainingLots: pool.remaining[s],
    triggerPriceTicks: pool.trigger[s],
    triggerSource: pool.triggerSource[s] as TriggerSource | 0,
  };
}
