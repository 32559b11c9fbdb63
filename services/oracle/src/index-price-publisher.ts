/**
 * The oracle stage's state machine: asks its `PriceFeed` for every symbol at an
 * event time and publishes one `OracleEventV1` (IndexPriceV1) per symbol through
 * the output port, numbered 1, 2, 3, … per (source, symbol), the consumers' dedup
 * key. Bus-free: `create-oracle-service.ts` wires the port to the topic.
 *
 * Time is an argument (`publishAt(tsNs)`); a tsNs older than the last one is
 * refused (ORACLE_TIME_WENT_BACKWARDS) so an index never moves back in time.
 * A symbol the feed cannot price yet is skipped (no event, no sequence number).
 */
import { DomainError } from '@perpcore/domain';
import { SCHEMA_MAJOR_V1, type OracleEventV1 } from '@perpcore/proto';
import type { PriceFeed } from './price-feed.js';

export type OracleEventPort = (event: OracleEventV1) => void;

export interface IndexPricePublisherDeps {
  readonly feed: PriceFeed;
  /** Producing instance, e.g. "oracle-0". */
  readonly source: string;
  readonly publish: OracleEventPort;
}

export class IndexPricePublisher {
  private readonly seqBySymbol = new Map<string, number>();
  private lastTsNs = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: IndexPricePublisherDeps) {
    if (!/^[a-z0-9-]{1,64}$/.test(deps.source)) throw new DomainError('ORACLE_INVALID_CONFIG', `source must be 1..64 of [a-z0-9-], got ${JSON.stringify(deps.source)}`);
  }

  /** Publishes the index of every symbol as of `tsNs`; returns how many events went out. */
  publishAt(tsNs: number): number {
    if (!Number.isInteger(tsNs)) throw new DomainError('ORACLE_INVALID_TIME', `tsNs must be an integer, got ${tsNs}`);
    if (tsNs < this.lastTsNs) throw new DomainError('ORACLE_TIME_WENT_BACKWARDS', `tsNs ${tsNs} is before the last published ${this.lastTsNs}`);
    this.lastTsNs = tsNs;
    let published = 0;
    for (const symbol of this.deps.feed.symbols) {
      const quote = this.deps.feed.quoteAt(symbol, tsNs);
      if (quote === undefined) continue;
      const seq = (this.seqBySymbol.get(symbol) ?? 0) + 1;
      this.seqBySymbol.set(symbol, seq);
      this.deps.publish({
        schemaMajor: SCHEMA_MAJOR_V1,
        seq,
        tsNs,
        source: this.deps.source,
        symbol,
        event: 'indexPrice',
        indexPrice: {
          priceSubticks: quote.priceSubticks,
          sources: quote.sources.map((s) => ({ source: s.source, priceSubticks: s.priceSubticks, weightE8: s.weightE8, used: s.used })),
        },
      } as OracleEventV1);
      published++;
    }
    return published;
  }

  /** Last sequence number published for a symbol (0 before the first). */
  lastSeq(symbol: string): number {
    return this.seqBySymbol.get(symbol) ?? 0;
  }
}
