/**
 * The risk stage's view of open orders, needed for order IM (RISK-SPEC §3.2): per
 * position row, one list per side, most aggressive first (buys by price descending,
 * sells ascending; equal prices in arrival order), as intrusive linked lists over
 * struct-of-arrays slots with a free list, so adding, filling and cancelling an
 * order allocates nothing.
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
 * Invariants: `reduceOnly{Buy,Sell}Lots[row]` = Σ remaining lots of the row's
 * reduce-only orders on that side; `{buy,sell}LotTicks[row]` = Σ remaining lots ×
 * price of all the row's orders on that side (the order IM kernel's running total).
 */
import type { PositionLedger } from './position-ledger.js';

/** Pending: accepted by risk, not yet by matching. CancelRequested: risk itself asked matching to cancel it. */
export const OrderState = { Pending: 0, Live: 1, CancelRequested: 2 } as const;

export class OpenOrders {
  readonly orderId: number[] = [];
  readonly row: number[] = [];
  readonly side: number[] = [];
  readonly priceTicks: number[] = [];
  readonly remainingLots: number[] = [];
  readonly reduceOnly: boolean[] = [];
  readonly state: number[] = [];
  readonly next: number[] = [];
  readonly prev: number[] = [];
  /** Amend awaiting matching's confirmation: previous price and lots (−1 = none). */
  readonly amendPrevPriceTicks: number[] = [];
  readonly amendPrevLots: number[] = [];
  private readonly bySlot: Map<number, number>[];
  private freeHead = -1;
  private live = 0;

  constructor(
    marketCount: number,
    private readonly rows: PositionLedger,
  ) {
    this.bySlot = Array.from({ length: marketCount }, () => new Map<number, number>());
  }

  get count(): number {
    return this.live;
  }

  find(market: number, orderId: number): number {
    return this.bySlot[market].get(orderId) ?? -1;
  }

  /** Orders of a market in id order (state hash, snapshots). */
  idsOfMarket(market: number): number[] {
    return [...this.bySlot[market].keys()].sort((a, b) => a - b);
  }

  add(market: number, orderId: number, row: number, side: number, priceTicks: number, lots: number, reduceOnly: boolean): number {
    let o = this.freeHead;
    if (o >= 0) {
      this.freeHead = this.next[o];
    } else {
      o = this.orderId.length;
      this.orderId.push(0);
      this.row.push(0);
      this.side.push(0);
      this.priceTicks.push(0);
      this.remainingLots.push(0);
      this.reduceOnly.push(false);
      this.state.push(0);
      this.next.push(-1);
      this.prev.push(-1);
      this.amendPrevPriceTicks.push(-1);
      this.amendPrevLots.push(-1);
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
    this.link(o);
    this.addLotTicks(o, lots * priceTicks);
    this.bySlot[market].set(orderId, o);
    this.rows.openOrders[row]++;
    if (reduceOnly) this.addReduceOnly(o, lots);
    this.live++;
    return o;
  }

  remove(market: number, o: number): void {
    const row = this.row[o];
    if (this.reduceOnly[o]) this.addReduceOnly(o, -this.remainingLots[o]);
    this.addLotTicks(o, -this.remainingLots[o] * this.priceTicks[o]);
    this.unlink(o);
    this.bySlot[market].delete(this.orderId[o]);
    this.rows.openOrders[row]--;
    this.remainingLots[o] = 0;
    this.next[o] = this.freeHead;
    this.freeHead = o;
    this.live--;
  }

  setRemaining(o: number, lots: number): void {
    if (this.reduceOnly[o]) this.addReduceOnly(o, lots - this.remainingLots[o]);
    this.addLotTicks(o, (lots - this.remainingLots[o]) * this.priceTicks[o]);
    this.remainingLots[o] = lots;
  }

  /** Moves an order to a new price and remaining size (its place in the list follows the price). */
  reprice(o: number, priceTicks: number, lots: number): void {
    this.setRemaining(o, lots);
    if (priceTicks === this.priceTicks[o]) return;
    this.unlink(o);
    this.addLotTicks(o, lots * (priceTicks - this.priceTicks[o]));
    this.priceTicks[o] = priceTicks;
    this.link(o);
  }

  /** Head of a row's list for a side (+1 buy, −1 sell). */
  head(row: number, side: number): number {
    return side > 0 ? this.rows.buyHead[row] : this.rows.sellHead[row];
  }

  private addLotTicks(o: number, lotTicks: number): void {
    if (this.side[o] > 0) {
      this.rows.buyLotTicks[this.row[o]] += lotTicks;
      this.rows.buyVersion[this.row[o]]++;
    } else {
      this.rows.sellLotTicks[this.row[o]] += lotTicks;
      this.rows.sellVersion[this.row[o]]++;
    }
  }

  private addReduceOnly(o: number, lots: number): void {
    if (this.side[o] > 0) this.rows.reduceOnlyBuyLots[this.row[o]] += lots;
    else this.rows.reduceOnlySellLots[this.row[o]] += lots;
  }

  /** Inserts after the last order at an equal or more aggressive price. */
  private link(o: number): void {
    const row = this.row[o];
    const side = this.side[o];
    const price = this.priceTicks[o];
    let before = -1;
    let at = side > 0 ? this.rows.buyHead[row] : this.rows.sellHead[row];
    while (at >= 0 && (side > 0 ? this.priceTicks[at] >= price : this.priceTicks[at] <= price)) {
      before = at;
      at = this.next[at];
    }
    this.prev[o] = before;
    this.next[o] = at;
    if (at >= 0) this.prev[at] = o;
    if (before >= 0) this.next[before] = o;
    else if (side > 0) this.rows.buyHead[row] = o;
    else this.rows.sellHead[row] = o;
  }

  private unlink(o: number): void {
    const row = this.row[o];
    const p = this.prev[o];
    const n = this.next[o];
    if (p >= 0) this.next[p] = n;
    else if (this.side[o] > 0) this.rows.buyHead[row] = n;
    else this.rows.sellHead[row] = n;
    if (n >= 0) this.prev[n] = p;
    this.prev[o] = -1;
    this.next[o] = -1;
  }
}
