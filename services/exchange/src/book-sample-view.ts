/**
 * The book as risk sees it when matching runs in another process (cluster mode):
 * per market, the latest `BookSampleV1` matching published on `matching.events.v1`
 * (services/matching market-stream.ts sampleIfDue), behind the `BookTop` port the
 * mark price and the premium index read (RISK-SPEC §5.2–§5.3). Embedded mode passes
 * matching's live books to the same port instead.
 *
 * Invariants
 * - A sample replaces the market's view whole; older samples (a redelivery, by the
 *   envelope's seq) never replace a newer one.
 * - Levels are best first; `forEachLevel` walks at most what the sample carried
 *   (matching's PERPCORE_MATCHING_SAMPLE_LEVELS), so an impact walk deeper than that
 *   sees the book end there.
 * - Before a market's first sample its view is an empty book (best bid/ask 0): the
 *   mark treats that as a missing basis sample, as for an empty book in embedded mode.
 */
import { Side } from '@perpcore/domain';
import type { MatchingEventV1, perpcore } from '@perpcore/proto';
import type { BookTop } from '@perpcore/risk';

class SampledBook implements BookTop {
  seq = 0;
  bids: readonly perpcore.matching.v1.BookLevelV1[] = [];
  asks: readonly perpcore.matching.v1.BookLevelV1[] = [];

  bestBidTicks(): number {
    return this.bids[0]?.priceTicks ?? 0;
  }

  bestAskTicks(): number {
    return this.asks[0]?.priceTicks ?? 0;
  }

  forEachLevel(side: Side, maxLevels: number, visit: (priceTicks: number, qtyLots: number) => void): void {
    const levels = side === Side.Buy ? this.bids : this.asks;
    const n = Math.min(maxLevels, levels.length);
    for (let i = 0; i < n; i++) visit(levels[i].priceTicks, levels[i].qtyLots);
  }
}

export class BookSampleView {
  private readonly books = new Map<string, SampledBook>();

  /** Feed every matching event; only samples change the view. */
  onMatchingEvent(e: MatchingEventV1): void {
    if (e.event !== 'bookSample' || e.bookSample == null) return;
    let book = this.books.get(e.market);
    if (book === undefined) this.books.set(e.market, (book = new SampledBook()));
    if (e.seq <= book.seq) return;
    book.seq = e.seq;
    book.bids = e.bookSample.bids;
    book.asks = e.bookSample.asks;
  }

  /** The `BookTopProvider` for createRiskService. */
  readonly top = (symbol: string): BookTop | undefined => this.books.get(symbol);
}
