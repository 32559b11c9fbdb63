/**
 * The book as risk's mark price and premium index see it (RISK-SPEC §5.2–§5.3), in
 * both modes: per market, the latest `BookSampleV1` matching published on
 * `matching.events.v1` (services/matching market-stream.ts sampleIfDue), behind the
 * `BookTop` port. The cluster's risk shard keeps one fed from Kafka, the embedded
 * pipeline one fed from its in-process bus (pipeline.ts says why not the live books).
 *
 * Invariants
 * - A sample replaces the market's view whole; older samples (a redelivery, by the
 *   envelope's seq) never replace a newer one.
 * - Levels are best first; `forEachLevel` walks at most what the sample carried
 *   (matching's PERPCORE_MATCHING_SAMPLE_LEVELS), so an impact walk deeper than that
 *   sees the book end there.
 * - Before a market's first sample its view is an empty book (best bid/ask 0): the
 *   mark treats that as a missing basis sample, as for an empty book in embedded mode.
 * - The view is part of the risk shard's state (`exportState` / `importState`, in the
 *   shard's snapshot): a shard restored without it computed its marks on empty books
 *   until matching's next sample, so the marks it republished for the inputs after
 *   its snapshot differed from the ones matching and the ladder had already applied.
 */
import { Side } from '@perpcore/domain';
import type { MatchingEventV1, perpcore } from '@perpcore/proto';
import type { BookTop } from '@perpcore/risk';
import { decodeValue, encodeValue } from '@perpcore/snapshot';

type Level = perpcore.matching.v1.BookLevelV1;
/** A market's sample as bytes carry it: [symbol, seq, bids, asks] with levels as [price ticks, qty lots]. */
type SampleRow = [string, number, [number, number][], [number, number][]];

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

  /** The view as bytes (canonical: markets in symbol order). */
  exportState(): Uint8Array {
    const levels = (xs: readonly Level[]) => xs.map((l) => [l.priceTicks, l.qtyLots] as [number, number]);
    const rows: SampleRow[] = [...this.books].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([symbol, b]) => [symbol, b.seq, levels(b.bids), levels(b.asks)]);
    return encodeValue(rows);
  }

  /** Loads `exportState()`'s bytes into this view, which must be empty. */
  importState(bytes: Uint8Array): void {
    if (this.books.size > 0) throw new Error('BookSampleView.importState: the view already holds samples');
    const levels = (xs: [number, number][]) => xs.map(([priceTicks, qtyLots]) => ({ priceTicks, qtyLots }) as Level);
    for (const [symbol, seq, bids, asks] of decodeValue(bytes) as SampleRow[]) {
      const book = new SampledBook();
      book.seq = seq;
      book.bids = levels(bids);
      book.asks = levels(asks);
      this.books.set(symbol, book);
    }
  }

  /** The `BookTopProvider` for createRiskService. */
  readonly top = (symbol: string): BookTop | undefined => this.books.get(symbol);
}
