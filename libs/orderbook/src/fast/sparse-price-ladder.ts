/**
 * Price ladder for tick ranges too large to index directly: level id by tick in a
 * `PositiveIntHash`, and per side a sorted Float64Array of active prices with the best
 * price last (bids ascending, asks descending), so removing the best level is a pop.
 * Inserting a level away from the touch shifts the worse part of the array
 * (`copyWithin`, a memmove). See `price-ladder.ts` for the contract.
 */
import { LevelStore } from './level-store.js';
import { PositiveIntHash } from './positive-int-hash.js';
import type { PriceLadder } from './price-ladder.js';

class SortedPrices {
  prices = new Float64Array(64);
  count = 0;

  /** `ascending`: bids (best = highest = last); otherwise asks (best = lowest = last). */
  constructor(private readonly ascending: boolean) {}

  /** Index of the first element that comes at or after `p` in this array's order. */
  lowerBound(p: number): number {
    let lo = 0;
    let hi = this.count;
    const prices = this.prices;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const before = this.ascending ? prices[mid] < p : prices[mid] > p;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(p: number): void {
    if (this.count === this.prices.length) {
      const grown = new Float64Array(this.prices.length * 2);
      grown.set(this.prices);
      this.prices = grown;
    }
    const i = this.lowerBound(p);
    this.prices.copyWithin(i + 1, i, this.count);
    this.prices[i] = p;
    this.count++;
  }

  remove(p: number): void {
    const i = this.lowerBound(p);
    this.prices.copyWithin(i, i + 1, this.count);
    this.count--;
  }
}

export class SparsePriceLadder implements PriceLadder {
  readonly levels: LevelStore;
  private readonly byTick: PositiveIntHash;
  private readonly bids = new SortedPrices(true);
  private readonly asks = new SortedPrices(false);

  constructor(initialLevels: number) {
    this.levels = new LevelStore(initialLevels);
    this.byTick = new PositiveIntHash(initialLevels);
  }

  find(priceTicks: number): number {
    return this.byTick.get(priceTicks);
  }

  insert(side: number, priceTicks: number): number {
    const level = this.levels.alloc(side, priceTicks);
    this.byTick.set(priceTicks, level);
    (side > 0 ? this.bids : this.asks).insert(priceTicks);
    return level;
  }

  remove(level: number): void {
    const priceTicks = this.levels.price[level];
    const side = this.levels.side[level];
    this.byTick.delete(priceTicks);
    this.levels.release(level);
    (side > 0 ? this.bids : this.asks).remove(priceTicks);
  }

  best(side: number): number {
    const sorted = side > 0 ? this.bids : this.asks;
    return sorted.count === 0 ? -1 : this.byTick.get(sorted.prices[sorted.count - 1]);
  }

  next(level: number): number {
    const sorted = this.levels.side[level] > 0 ? this.bids : this.asks;
    const i = sorted.lowerBound(this.levels.price[level]);
    return i === 0 ? -1 : this.byTick.get(sorted.prices[i - 1]);
  }
}
