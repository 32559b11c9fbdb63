/**
 * The oracle stage's state machine: asks its `PriceFeed` for every symbol at an
 * event time and publishes one `OracleEventV1` (IndexPriceV1) per symbol through
 * the output port, numbered 1, 2, 3, … per (source, symbol), the consumers' dedup
 * key. Bus-free: `create-oracle-service.ts` wires the port to the topic.
 *
 * Time is an argument (`publishAt(tsNs)`, a positive integer nanosecond count
 * below 2^63, else ORACLE_INVALID_TIME); a tsNs older than the last one is refused
 * (ORACLE_TIME_WENT_BACKWARDS) so an index never moves back in time, and one equal
 * to it publishes nothing: the index of an instant goes out once (risk would
 * refuse a second one as stale).
 * A symbol the feed cannot price yet is skipped (no event, no sequence number).
 *
 * Never an invalid price on the wire: a quote whose index or source price is not
 * a positive safe integer of subticks, or whose weight is not a non-negative safe
 * integer, is not published (no event, no sequence number) and is reported as a
 * DomainError ORACLE_INVALID_PRICE naming the symbol, the time and the value: to
 * `onInvalidQuote` when given (the service logs it and the other symbols still go
 * out), else thrown before anything of that instant is published.
 */
import { DomainError } from '@perpcore/domain';
import { SCHEMA_MAJOR_V1, type OracleEventV1 } from '@perpcore/proto';
import type { IndexQuote, PriceFeed } from './price-feed.js';
import { captureState, restoreState } from '@perpcore/snapshot';

export type OracleEventPort = (event: OracleEventV1) => void;

export interface IndexPricePublisherDeps {
  readonly feed: PriceFeed;
  /** Producing instance, e.g. "oracle-0". */
  readonly source: string;
  readonly publish: OracleEventPort;
  /** Where a refused quote is reported; without it `publishAt` throws. */
  readonly onInvalidQuote?: (error: DomainError) => void;
}

const TWO_POW_63 = 2 ** 63;

const positiveSafe = (v: number) => Number.isSafeInteger(v) && v > 0;

/** Why the feed's quote cannot be published, or null when it can. */
function invalidQuote(symbol: string, tsNs: number, quote: IndexQuote): DomainError | null {
  const at = `${symbol} at ${tsNs}`;
  if (!positiveSafe(quote.priceSubticks)) return new DomainError('ORACLE_INVALID_PRICE', `${at}: index price ${String(quote.priceSubticks)} is not a positive safe integer of subticks`);
  for (const src of quote.sources) {
    if (!positiveSafe(src.priceSubticks)) return new DomainError('ORACLE_INVALID_PRICE', `${at}: source ${src.source} price ${String(src.priceSubticks)} is not a positive safe integer of subticks`);
    if (!Number.isSafeInteger(src.weightE8) || src.weightE8 < 0) return new DomainError('ORACLE_INVALID_PRICE', `${at}: source ${src.source} weightE8 ${String(src.weightE8)} is not a non-negative safe integer`);
  }
  return null;
}

export class IndexPricePublisher {
  private readonly seqBySymbol = new Map<string, number>();
  private lastTsNs = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: IndexPricePublisherDeps) {
    if (!/^[a-z0-9-]{1,64}$/.test(deps.source)) throw new DomainError('ORACLE_INVALID_CONFIG', `source must be 1..64 of [a-z0-9-], got ${JSON.stringify(deps.source)}`);
  }

  /**
   * The oracle's complete state (per-symbol sequences, last publish time, and the
   * feed's own state: its random generators and walks) as bytes; `importState` on a
   * fresh publisher over a feed of the same configuration continues the same series.
   */
  exportState(): Uint8Array {
    return captureState(this);
  }

  /** Loads `exportState()`'s bytes into this publisher, which must be fresh; throws, changing nothing, if they do not fit. */
  importState(bytes: Uint8Array): void {
    restoreState(this, bytes);
  }

  /** Publishes the index of every symbol as of `tsNs`; returns how many events went out. */
  publishAt(tsNs: number): number {
    if (!Number.isInteger(tsNs) || tsNs <= 0 || tsNs >= TWO_POW_63) throw new DomainError('ORACLE_INVALID_TIME', `tsNs must be a positive integer nanosecond count below 2^63, got ${tsNs}`);
    if (tsNs < this.lastTsNs) throw new DomainError('ORACLE_TIME_WENT_BACKWARDS', `tsNs ${tsNs} is before the last published ${this.lastTsNs}`);
    if (tsNs === this.lastTsNs) return 0;
    const quotes: (IndexQuote | undefined)[] = [];
    for (const symbol of this.deps.feed.symbols) {
      let quote = this.deps.feed.quoteAt(symbol, tsNs);
      const error = quote === undefined ? null : invalidQuote(symbol, tsNs, quote);
      if (error !== null) {
        if (this.deps.onInvalidQuote === undefined) throw error;
        this.deps.onInvalidQuote(error);
        quote = undefined;
      }
      quotes.push(quote);
    }
    this.lastTsNs = tsNs;
    let published = 0;
    for (let i = 0; i < quotes.length; i++) {
      const symbol = this.deps.feed.symbols[i];
      const quote = quotes[i];
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
