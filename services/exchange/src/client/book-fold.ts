/**
 * Every market's book, folded from `matching.events.v1`: each `BookDeltaV1` sets
 * one level's total resting quantity (0 removes it), each fill sets the last trade.
 * A client that reads the matching stream from its beginning holds the same levels
 * as matching's books, per market in stream order (one partition per market).
 *
 * Invariants: a level present in the fold has a quantity > 0; levels are read best
 * first (bids high → low, asks low → high). Sorting happens on read, off the event path.
 */
import type { MatchingEventV1 } from '@perpcore/proto';
import type { BookSnapshot } from './exchange-client.js';

const WIRE_BUY = 1;

interface FoldedBook {
  readonly bids: Map<number, number>;
  readonly asks: Map<number, number>;
  lastTradeTicks: number;
}

export class BookFold {
  private readonly books = new Map<string, FoldedBook>();

  constructor(markets: readonly string[]) {
    for (const m of markets) this.books.set(m, { bids: new Map(), asks: new Map(), lastTradeTicks: 0 });
  }

  apply(e: MatchingEventV1): void {
    const book = this.books.get(e.market);
    if (book === undefined) return;
    if (e.event === 'bookDelta' && e.bookDelta != null) {
      const levels = e.bookDelta.side === WIRE_BUY ? book.bids : book.asks;
      const priceTicks = Number(e.bookDelta.priceTicks);
      const qtyLots = Number(e.bookDelta.levelQtyLots);
      if (qtyLots > 0) levels.set(priceTicks, qtyLots);
      else levels.delete(priceTicks);
    } else if (e.event === 'filled' && e.filled != null) {
      book.lastTradeTicks = Number(e.filled.priceTicks);
    }
  }

  snapshot(market: string, depth: number): BookSnapshot | null {
    const book = this.books.get(market);
    if (book === undefined) return null;
    return { market, bids: best(book.bids, depth, (a, b) => b - a), asks: best(book.asks, depth, (a, b) => a - b), lastTradeTicks: book.lastTradeTicks };
  }
}

function best(levels: Map<number, number>, depth: number, order: (a: number, b: number) => number): (readonly [number, number])[] {
  const prices = [...levels.keys()].sort(order);
  return prices.slice(0, Math.max(0, depth)).map((p) => [p, levels.get(p) ?? 0] as const);
}
