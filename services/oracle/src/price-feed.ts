/**
 * The `PriceFeed` port: where index prices come from (RISK-SPEC §5.1). The oracle
 * stage asks a feed for the index of each symbol at an event time and publishes it;
 * risk only ever consumes the published `IndexPriceV1`.
 *
 * - Embedded mode plugs in `SimulatedIndexFeed` (seeded drift and jumps).
 * - Real feeds later implement the same two members: an adapter keeps the latest
 *   spot quote per source (websocket, REST poll) and aggregates them with
 *   `aggregateIndex` (index-basket.ts), so the outlier rule stays in one place.
 *
 * Prices are integers at mark resolution (`…Subticks`: one tick of the market is
 * `markSubticksPerTick` subticks). Time comes in as an argument (`tsNs`), never
 * from a clock inside the feed, so a recorded run replays exactly.
 */

/** One source of the basket as it was used for one index value. */
export interface IndexSourceQuote {
  readonly source: string;
  readonly priceSubticks: number;
  /** Basket weight in 1e-8. */
  readonly weightE8: number;
  /** False when the outlier rule dropped it (or capped it: then the price is the capped one). */
  readonly used: boolean;
}

export interface IndexQuote {
  readonly symbol: string;
  /** The index X. */
  readonly priceSubticks: number;
  readonly sources: readonly IndexSourceQuote[];
}

export interface PriceFeed {
  /** The symbols this feed prices, in publication order. */
  readonly symbols: readonly string[];
  /**
   * The index of `symbol` as of `tsNs`, or undefined when no price is known yet
   * (a real feed before its first quote). Calls come with non-decreasing `tsNs`.
   */
  quoteAt(symbol: string, tsNs: number): IndexQuote | undefined;
}
