/**
 * The fast book's untriggered stop / take-profit orders: one list in acceptance order,
 * linked through the pool's `next`/`prev` (an untriggered order is on no price level).
 *
 * Release rule (shared with the reference book): the earliest-accepted order whose
 * trigger holds at its source price goes first. A scan is O(pending); to skip it when
 * nothing can hold, the list keeps per source the lowest trigger of the orders that
 * fire on a rise (stop buy, take-profit sell) and the highest of those that fire on a
 * fall (stop sell, take-profit buy). Adds tighten these bounds; removals leave them
 * loose (still safe); a scan that finds nothing makes them exact again.
 */
import { OrderType, TriggerSource } from '@perpcore/domain';
import { triggerHolds } from '../book-rules.js';
import { NO_SLOT, type OrderPool } from './order-pool.js';

const SOURCES = 3; // indexed by TriggerSource (1, 2)

export class TriggerList {
  count = 0;
  head = NO_SLOT;
  private tail = NO_SLOT;
  private readonly riseMin = new Float64Array(SOURCES).fill(Number.POSITIVE_INFINITY);
  private readonly fallMax = new Float64Array(SOURCES);

  constructor(private readonly pool: OrderPool) {}

  add(slot: number): void {
    const pool = this.pool;
    pool.prev[slot] = this.tail;
    pool.next[slot] = NO_SLOT;
    if (this.tail === NO_SLOT) this.head = slot;
    else pool.next[this.tail] = slot;
    this.tail = slot;
    this.count++;
    this.widen(slot);
  }

  remove(slot: number): void {
    const pool = this.pool;
    const prev = pool.prev[slot];
    const next = pool.next[slot];
    if (prev === NO_SLOT) this.head = next;
    else pool.next[prev] = next;
    if (next === NO_SLOT) this.tail = prev;
    else pool.prev[next] = prev;
    this.count--;
  }

  /** The earliest-accepted order whose trigger holds at the given prices, or −1. */
  firstHolding(lastTradeTicks: number, markTicks: number): number {
    if (this.count === 0 || !this.mayHold(lastTradeTicks, markTicks)) return NO_SLOT;
    const pool = this.pool;
    for (let s = this.head; s !== NO_SLOT; s = pool.next[s]) {
      const price = pool.triggerSource[s] === TriggerSource.MarkPrice ? markTicks : lastTradeTicks;
      if (triggerHolds(pool.type[s] as OrderType, pool.side[s] as 1 | -1, pool.trigger[s], price)) return s;
    }
    // nothing holds: rebuild exact bounds from the whole list
    this.riseMin.fill(Number.POSITIVE_INFINITY);
    this.fallMax.fill(0);
    for (let s = this.head; s !== NO_SLOT; s = pool.next[s]) this.widen(s);
    return NO_SLOT;
  }

  private mayHold(lastTradeTicks: number, markTicks: number): boolean {
    const lt = TriggerSource.LastTrade;
    const mk = TriggerSource.MarkPrice;
    return (
      (lastTradeTicks > 0 && (lastTradeTicks >= this.riseMin[lt] || lastTradeTicks <= this.fallMax[lt])) ||
      (markTicks > 0 && (markTicks >= this.riseMin[mk] || markTicks <= this.fallMax[mk]))
    );
  }

  private widen(slot: number): void {
    const pool = this.pool;
    const src = pool.triggerSource[slot];
    const trigger = pool.trigger[slot];
    const stop = pool.type[slot] === OrderType.StopMarket || pool.type[slot] === OrderType.StopLimit;
    if (stop === pool.side[slot] > 0) {
      if (trigger < this.riseMin[src]) this.riseMin[src] = trigger;
    } else if (trigger > this.fallMax[src]) {
      this.fallMax[src] = trigger;
    }
  }
}
