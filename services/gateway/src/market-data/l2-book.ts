/**
 * A level-2 book folded from the matching stage's `BookDeltaV1` events: per side, the
 * total resting quantity at each price. Each delta carries the level's quantity after
 * the change, so applying deltas in stream order reproduces the core's book exactly.
 *
 * Layout: per side a Map price → lots and a sorted price array (bids descending,
 * asks ascending) kept by binary search; a level of 0 lots is removed.
 * Complexity: apply O(log n + n) for a new or vanished level (array splice), O(1)
 * for a quantity change; `levels(limit)` O(limit).
 */
import { Side } from '@perpcore/domain';

export type BookLevel = readonly [priceTicks: number, qtyLots: number];

class BookSide {
  readonly qtyByPrice = new Map<number, number>();
  /** Best first. */
  readonly prices: number[] = [];

  constructor(private readonly descending: boolean) {}

  private indexOf(priceTicks: number): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.prices[mid];
      const before = this.descending ? p > priceTicks : p < priceTicks;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(priceTicks: number, qtyLots: number): void {
    const had = this.qtyByPrice.has(priceTicks);
    if (qtyLots === 0) {
      if (!had) return;
      this.qtyByPrice.delete(priceTicks);
      this.prices.splice(this.indexOf(priceTicks), 1);
      return;
    }
    this.qtyByPrice.set(priceTicks, qtyLots);
    if (!had) this.prices.splice(this.indexOf(priceTicks), 0, priceTicks);
  }

  levels(limit: number): BookLevel[] {
    const n = Math.min(limit, this.prices.length);
    const out: BookLevel[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.prices[i];
      out[i] = [p, this.qtyByPrice.get(p) as number];
    }
    return out;
  }
}

export class L2Book {
  private readonly bids = new BookSide(true);
  private readonly asks = new BookSide(false);

  apply(side: Side, priceTicks: number, levelQtyLots: number): void {
    (side === Side.Buy ? this.bids : this.asks).set(priceTicks, levelQtyLots);
  }

  levels(side: Side, limit: number): BookLevel[] {
    return (side === Side.Buy ? this.bids : this.asks).levels(limit);
  }

  /** Quantity resting at a price (0 when the level is empty). */
  qtyAt(side: Side, priceTicks: number): number {
    return (side === Side.Buy ? this.bids : this.asks).qtyByPrice.get(priceTicks) ?? 0;
  }

  /** Best bid / ask price, 0 when the side is empty. */
  bestTicks(side: Side): number {
    return (side === Side.Buy ? this.bids : this.asks).prices[0] ?? 0;
  }

  levelCount(side: Side): number {
    return (side === Side.Buy ? this.bids : this.asks).prices.length;
  }
}
