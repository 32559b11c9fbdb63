/**
 * The oracle service: an `IndexPricePublisher` on the bus. `publishAt(tsNs)`
 * publishes every symbol's index on `oracle.index-prices.v1` (key: symbol); the
 * composition root calls it from its clock (embedded: the simulation's event time),
 * so the stage itself never reads one. A quote the publisher refuses (not a
 * positive safe integer) is logged at error and not published.
 */
import { type Bus, Topics } from '@perpcore/bus';
import type { Logger } from '@perpcore/observability';
import { IndexPricePublisher } from './index-price-publisher.js';
import type { PriceFeed } from './price-feed.js';

export interface OracleServiceDeps {
  readonly bus: Bus;
  readonly feed: PriceFeed;
  readonly logger: Logger;
  /** Producing instance, e.g. "oracle-0". */
  readonly source?: string;
}

export interface OracleService {
  readonly publisher: IndexPricePublisher;
  /** Publishes the index of every symbol as of `tsNs`; returns how many events went out. */
  publishAt(tsNs: number): number;
}

export function createOracleService(deps: OracleServiceDeps): OracleService {
  const publisher = new IndexPricePublisher({
    feed: deps.feed,
    source: deps.source ?? 'oracle-0',
    publish: (event) => deps.bus.publish(Topics.oracleIndexPrices, event),
    // a broken quote of one symbol must not stop the others: logged, not published
    onInvalidQuote: (error) => deps.logger.error({ code: error.code }, `index price not published: ${error.message}`),
  });
  deps.logger.info({ symbols: deps.feed.symbols }, 'oracle service started');
  return { publisher, publishAt: (tsNs) => publisher.publishAt(tsNs) };
}
