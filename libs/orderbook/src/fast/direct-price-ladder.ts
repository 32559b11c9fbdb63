/**
 * Price ladder for bounded tick ranges: level id by tick in an Int32Array, one bitmap
 * of occupied ticks per side, and the best level of each side cached.
 * See `price-ladder.ts` for the contract.
 *
 * The index stores level id + 1, so 0 means "no level" and the array needs no fill:
 * a large fresh ArrayBuffer is zero pages the OS maps on first touch, so a 10M-tick
 * market costs memory only around the prices actually used.
 */
import { LevelStore } from './level-store.js';
import type { PriceLadder } from './price-ladder.js';
import { TickBitmap } from './tick-bitmap.js';

export class DirectPriceLadder implements PriceLadder {
  readonly levels: LevelStore;
  private readonly byTick: Int32Array;
  private readonly bidTicks: TickBitmap;
  private readonly askTicks: TickBitmap;
  private bestBid = -1;
  private bestAsk = -1;

  constructor(maxPriceTicks: number, initialLevels: number) {
    this.levels = new LevelStore(initialLevels);
    this.byTick = new Int32Array(maxPriceTicks + 1);
    this.bidTicks = new TickBitmap(maxPriceTicks + 1);
    this.askTicks = new TickBitmap(maxPriceTicks + 1);
  }

  find(priceTicks: number): number {
    return this.byTick[priceTicks] - 1;
  }

  insert(side: number, priceTicks: number): number {
    const level = this.levels.alloc(side, priceTicks);
    this.byTick[priceTicks] = level + 1;
    if (side > 0) {
      this.bidTicks.set(priceTicks);
      if (this.bestBid < 0 || priceTicks > this.levels.price[this.bestBid]) this.bestBid = level;
    } else {
      this.askTicks.set(priceTicks);
      if (this.bestAsk < 0 || priceTicks < this.levels.price[this.bestAsk]) this.bestAsk = level;
    }
    return level;
  }

  remove(level: number): void {
    const priceTicks = this.levels.price[level];
    const side = this.levels.side[level];
    this.byTick[priceTicks] = 0;
    this.levels.release(level);
    if (side > 0) {
      this.bidTicks.clear(priceTicks);
      if (this.bestBid === level) {
        const t = this.bidTicks.nextAtOrBelow(priceTicks - 1);
        this.bestBid = t < 0 ? -1 : this.byTick[t] - 1;
      }
    } else {
      this.askTicks.clear(priceTicks);
      if (this.bestAsk === level) {
        const t = this.askTicks.nextAtOrAbove(priceTicks + 1);
        this.bestAsk = t < 0 ? -1 : this.byTick[t] - 1;
      }
    }
  }

  best(side: number): number {
    return side > 0 ? this.bestBid : this.bestAsk;
  }

  next(level: number): number {
    const priceTicks = this.levels.price[level];
    const t = this.levels.side[level] > 0 ? this.bidTicks.nextAtOrBelow(priceTicks - 1) : this.askTicks.nextAtOrAbove(priceTicks + 1);
    return t < 0 ? -1 : this.byTick[t] - 1;
  }
}
