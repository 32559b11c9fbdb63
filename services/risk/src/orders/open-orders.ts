/**
 * The risk stage's view of open orders, needed for order IM (RISK-SPEC §3.2).
 *
 * Layout: order slots as struct of arrays with a free list; per market an
 * `OrderIdIndex` (id → slot); per position row and side a sorted `Int32Array` of
 * slots, most aggressive first (buys by price descending, sells ascending; equal
 * prices in arrival order). Insert and remove are a binary search plus a move of
 * the tail (a loop when short, `copyWithin` when long); a reprice is one search and
 * one move between its old and new place, the same order as remove + insert. The
 * order IM kernel walks only a prefix of the array. Nothing is
 * allocated per order (the per-row arrays double on growth, amortised).
 *
 * Lifecycle (the hold follows the order, exchange-core style):
 * - added when the pre-trade check accepts a place (state PENDING until matching's
 *   `accepted`), so the hold exists before matching sees the order;
 * - remaining lots follow fills; removed on the last fill, on cancel, or on a
 *   matching reject of the place;
 * - an amend is applied when accepted by risk, remembering the previous price and
 *   lots until matching confirms (`amended`) or refuses it (then it is undone).
 * Orders risk did not check (the liquidation engine's IOCs) are not tracked here.
 *
 * Isolated holds (isolated-margin.ts has the rules): `holdUnits[o]` is what the
 * order moved into its row's bucket and still owns (0 for cross and reduce-only
 * orders); `amendHoldUnits[o]` is the amend in flight's part: > 0 moved in by it
 * (returned if matching refuses), < 0 to return when matching confirms it. A fill
 * of `f` lots out of `f + left` keeps `floor(hold × left / (f + left))` on the
 * order (`applyFill`); the rest is position margin already in the bucket.
 *
 * Invariants: `reduceOnly{Buy,Sell}Lots[row]` = Σ remaining lots of the row's
 * reduce-only orders on that side; `{buy,sell}LotTicks[row]` = Σ remaining lots ×
 * price of all the row's orders on that side; `{buy,sell}Version[row]` changes on
 * every change to that side (the kernel's cache key); `prefixVersion(row, side)`
 * changes on every change at or before the side's prefix bound (the aggressiveness
 * key the kernel last reported as the end of the reducing lots), so a change behind
 * the reducing prefix leaves the kernel's reducing walk cached.
 */
import { Rounding, mulDiv } from '@perpcore/domain';
import { OrderIdIndex } from './order-id-index.js';
import type { PositionLedger } from '../accounts/position-ledger.js';

/** Pending: accepted by risk, not yet by matching. CancelRequested: risk itself asked matching to cancel it. */
export const OrderState = { Pending: 0, Live: 1, CancelRequested: 2 } as const;

const EMPTY = new Int32Array(0);
/** Below this many elements a move is a plain loop: the builtin `copyWithin` call costs more than the copies. */
const SHORT_MOVE = 16;

/** `list[to .. to + (end − from)) = list[from .. end)`, the ranges may overlap. */
function moveWithin(list: Int32Array, to: number, from: number, end: number): void {
  const count = end - from;
  if (count > SHORT_MOVE) {
    list.copyWithin(to, from, end);
  } else if (to < from) {
    for (let i = 0; i < count; i++) list[to + i] = list[from + i];
  } else {
    for (let i = count - 1; i >= 0; i--) list[to + i] = list[from + i];
  }
}

export class OpenOrders {
  readonly orderId: number[] = [];
  readonly row: number[] = [];
  readonly side: number[] = [];
  readonly priceTicks: number[] = [];
  readonly remainingLots: number[] = [];
  readonly reduceOnly: boolean[] = [];
  readonly state: number[] = [];
  /** Amend awaiting matching's confirmation: previous price and lots (−1 = none). */
  readonly amendPrevPriceTicks: number[] = [];
  readonly amendPrevLots: number[] = [];
  /** Units this order moved into its isolated bucket and still owns (see the module doc). */
  readonly holdUnits: number[] = [];
  /** The amend in flight's part of the hold: > 0 moved in, < 0 to return on confirmation, 0 none. */
  readonly amendHoldUnits: number[] = [];
  private readonly nextFree: number[] = [];
  private readonly ids: OrderIdIndex[];
  /** Per (row, side): sorted slots and their count; index 2 × row (+1 for sells). */
  private readonly lists: Int32Array[] = [];
  private readonly counts: number[] = [];
  /** Per (row, side): changes at keys ≤ this bump `prefixVersions` (+∞: every change). */
  private readonly prefixBoundKey: number[] = [];
  private readonly prefixVersions: number[] = [];
  private freeHead = -1;
  private live = 0;

  constructor(
    marketCount: number,
    private readonly rows: PositionLedger,
  ) {
    this.ids = Array.from({ length: marketCount }, () => new OrderIdIndex());
  }

  get count(): number {
    return this.live;
  }

  find(market: number, orderId: number): number {
    return this.ids[market].get(orderId);
  }

  /** Order ids of a market, ascending (state hash, snapshots). */
  idsOfMarket(market: number): number[] {
    const out: number[] = [];
    this.ids[market].forEachId((id) => out.push(id));
    return out.sort((a, b) => a - b);
  }

  /** A row's orders on one side, most aggressive first: `list(row, side)[0 .. size(row, side))`. */
  list(row: number, side: number): Int32Array {
    return this.lists[2 * row + (side > 0 ? 0 : 1)] ?? EMPTY;
  }

  /** Σ `holdUnits` of a row's open orders: what they moved into its isolated bucket and still own. */
  holdsOfRow(row: number): number {
    let total = 0;
    for (let side = 1; side >= -1; side -= 2) {
      const list = this.list(row, side);
      const n = this.size(row, side);
      for (let i = 0; i < n; i++) total += this.holdUnits[list[i]];
    }
    return total;
  }

  size(row: number, side: number): number {
    return this.counts[2 * row + (side > 0 ? 0 : 1)] ?? 0;
  }

  /** Version of the side's orders up to its prefix bound (see the module doc). */
  prefixVersion(row: number, side: number): number {
    return this.prefixVersions[2 * row + (side > 0 ? 0 : 1)] ?? 0;
  }

  /**
   * Declares the end of a prefix the caller cached: until the next declaration, a
   * change to an order at key ≤ `boundKey` (−price for buys, price for sells) bumps
   * `prefixVersion`; +∞ when every change matters (the prefix is the whole side).
   */
  setPrefixBound(row: number, side: number, boundKey: number): void {
    const k = 2 * row + (side > 0 ? 0 : 1);
    this.ensureList(k);
    this.prefixBoundKey[k] = boundKey;
  }

  /** Aggressiveness key of an order slot: smaller = more aggressive (buy: −price, sell: price). */
  keyOf(o: number): number {
    return this.side[o] > 0 ? -this.priceTicks[o] : this.priceTicks[o];
  }

  add(market: number, orderId: number, row: number, side: number, priceTicks: number, lots: number, reduceOnly: boolean): number {
    let o = this.freeHead;
    if (o >= 0) {
      this.freeHead = this.nextFree[o];
    } else {
      o = this.orderId.length;
      this.orderId.push(0);
      this.row.push(0);
      this.side.push(0);
      this.priceTicks.push(0);
      this.remainingLots.push(0);
      this.reduceOnly.push(false);
      this.state.push(0);
      this.amendPrevPriceTicks.push(-1);
      this.amendPrevLots.push(-1);
      this.holdUnits.push(0);
      this.amendHoldUnits.push(0);
      this.nextFree.push(-1);
    }
    this.orderId[o] = orderId;
    this.row[o] = row;
    this.side[o] = side;
    this.priceTicks[o] = priceTicks;
    this.remainingLots[o] = lots;
    this.reduceOnly[o] = reduceOnly;
    this.state[o] = OrderState.Pending;
    this.amendPrevPriceTicks[o] = -1;
    this.amendPrevLots[o] = -1;
    this.holdUnits[o] = 0;
    this.amendHoldUnits[o] = 0;
    this.insert(o);
    this.addLotTicks(o, lots * priceTicks);
    this.ids[market].set(orderId, o);
    this.rows.openOrders[row]++;
    if (reduceOnly) this.addReduceOnly(o, lots);
    this.live++;
    return o;
  }

  remove(market: number, o: number): void {
    const row = this.row[o];
    if (this.reduceOnly[o]) this.addReduceOnly(o, -this.remainingLots[o]);
    this.addLotTicks(o, -this.remainingLots[o] * this.priceTicks[o]);
    this.extract(o);
    this.ids[market].delete(this.orderId[o]);
    this.rows.openOrders[row]--;
    this.remainingLots[o] = 0;
    this.holdUnits[o] = 0;
    this.amendHoldUnits[o] = 0;
    this.nextFree[o] = this.freeHead;
    this.freeHead = o;
    this.live--;
  }

  setRemaining(o: number, lots: number): void {
    if (lots === this.remainingLots[o]) return;
    this.touchPrefix(2 * this.row[o] + (this.side[o] > 0 ? 0 : 1), this.key(o));
    if (this.reduceOnly[o]) this.addReduceOnly(o, lots - this.remainingLots[o]);
    this.addLotTicks(o, (lots - this.remainingLots[o]) * this.priceTicks[o]);
    this.remainingLots[o] = lots;
  }

  /**
   * A fill of `filledLots` left `remainingLots` (matching's figure): the order keeps
   * its share of the hold, rounded down (the unit in doubt stays with the position),
   * and so does an amend's part in flight. Removes the order when nothing is left.
   */
  applyFill(market: number, o: number, filledLots: number, remainingLots: number): void {
    if (remainingLots <= 0) {
      this.remove(market, o);
      return;
    }
    const before = filledLots + remainingLots;
    if (this.holdUnits[o] > 0) this.holdUnits[o] = mulDiv(this.holdUnits[o], remainingLots, before, Rounding.Floor);
    if (this.amendHoldUnits[o] > 0) this.amendHoldUnits[o] = mulDiv(this.amendHoldUnits[o], remainingLots, before, Rounding.Floor);
    this.setRemaining(o, remainingLots);
  }

  /** Moves an order to a new price and remaining size (its place in the list follows the price). */
  reprice(o: number, priceTicks: number, lots: number): void {
    this.setRemaining(o, lots);
    if (priceTicks === this.priceTicks[o]) return;
    // one move within the list: the same order as extract + insert, with one search on the side it moves to
    const k = 2 * this.row[o] + (this.side[o] > 0 ? 0 : 1);
    const list = this.lists[k];
    const n = this.counts[k];
    const oldKey = this.key(o);
    this.touchPrefix(k, oldKey);
    const from = this.indexOf(list, n, o, oldKey);
    this.addLotTicks(o, lots * (priceTicks - this.priceTicks[o]));
    this.priceTicks[o] = priceTicks;
    const newKey = this.key(o);
    this.touchPrefix(k, newKey);
    if (newKey >= oldKey) {
      const at = this.upperBoundIn(list, from + 1, n, newKey);
      moveWithin(list, from, from + 1, at);
      list[at - 1] = o;
    } else {
      const at = this.upperBoundIn(list, 0, from, newKey);
      moveWithin(list, at + 1, at, from);
      list[at] = o;
    }
  }

  private addLotTicks(o: number, lotTicks: number): void {
    const row = this.row[o];
    if (this.side[o] > 0) {
      this.rows.buyLotTicks[row] += lotTicks;
      this.rows.buyVersion[row]++;
    } else {
      this.rows.sellLotTicks[row] += lotTicks;
      this.rows.sellVersion[row]++;
    }
  }

  private addReduceOnly(o: number, lots: number): void {
    if (this.side[o] > 0) this.rows.reduceOnlyBuyLots[this.row[o]] += lots;
    else this.rows.reduceOnlySellLots[this.row[o]] += lots;
  }

  private touchPrefix(k: number, key: number): void {
    if (key <= this.prefixBoundKey[k]) this.prefixVersions[k]++;
  }

  private ensureList(k: number): void {
    while (this.lists.length <= k) {
      this.lists.push(EMPTY);
      this.counts.push(0);
      this.prefixBoundKey.push(Number.POSITIVE_INFINITY);
      this.prefixVersions.push(0);
    }
  }

  /** Aggressiveness key: smaller = more aggressive (buy: −price, sell: price). */
  private key(o: number): number {
    return this.side[o] > 0 ? -this.priceTicks[o] : this.priceTicks[o];
  }

  /** First index in [from, to) whose key is greater than `key` (after every equal one), or `to`. */
  private upperBoundIn(list: Int32Array, from: number, to: number, key: number): number {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.key(list[mid]) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insert(o: number): void {
    const k = 2 * this.row[o] + (this.side[o] > 0 ? 0 : 1);
    this.ensureList(k);
    let list = this.lists[k];
    const n = this.counts[k];
    if (n === list.length) {
      const bigger = new Int32Array(Math.max(4, n * 2));
      bigger.set(list);
      this.lists[k] = list = bigger;
    }
    const key = this.key(o);
    this.touchPrefix(k, key);
    const at = this.upperBoundIn(list, 0, n, key);
    moveWithin(list, at + 1, at, n);
    list[at] = o;
    this.counts[k] = n + 1;
  }

  private extract(o: number): void {
    const k = 2 * this.row[o] + (this.side[o] > 0 ? 0 : 1);
    const list = this.lists[k];
    const n = this.counts[k];
    const key = this.key(o);
    this.touchPrefix(k, key);
    const at = this.indexOf(list, n, o, key);
    moveWithin(list, at, at + 1, n);
    this.counts[k] = n - 1;
  }

  /** Index of slot o (key `key`) in a sorted list: lower bound of the key, then the slot among equal prices. */
  private indexOf(list: Int32Array, n: number, o: number, key: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.key(list[mid]) < key) lo = mid + 1;
      else hi = mid;
    }
    while (lo < n && list[lo] !== o) lo++;
    if (lo === n) throw new Error(`order slot ${o} is missing from its row's list (a ledger bug)`);
    return lo;
  }
}
