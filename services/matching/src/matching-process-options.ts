/**
 * How the matching process (main.ts) builds its service from its configuration:
 * the books, the mark resolution per market, the book-sample schedule. Shared with
 * the cluster crash test, which builds the same service in-process and feeds it the
 * sequence the process applied.
 */
import { defaultVenueMarkets, selectMarkets } from '@perpcore/markets';
import { createFastOrderBook, createReferenceOrderBook } from '@perpcore/orderbook';
import { configFingerprint } from '@perpcore/snapshot';
import { Topics } from '@perpcore/bus';
import { bookSampleSchedule } from './book-sample-schedule.js';
import type { MatchingServiceDeps } from './create-matching-service.js';
import { parseMatchingShard, splitMarkets } from './matching-shard.js';

export interface MatchingProcessConfig {
  readonly markets: readonly string[];
  readonly book: 'fast' | 'reference';
  readonly groupId: string;
  readonly accountEvents: 'true' | 'false';
  readonly conflateMs: number;
  readonly sampleLevels: number;
  /** `i/M`: this process is matching shard i of M (matching-shard.ts); absent = `0/1`, every listed market. */
  readonly shard?: string;
}

/** The topics the process consumes, in a fixed order (its input-order log numbers them by it). */
export const MATCHING_TOPICS = [Topics.matchingCommands.name, Topics.riskMarketEvents.name] as const;

export function matchingServiceOptions(config: MatchingProcessConfig): Omit<MatchingServiceDeps, 'bus' | 'logger' | 'beforeConsume'> & { fingerprint: string } {
  const listed = selectMarkets(config.markets);
  const shard = parseMatchingShard(config.shard ?? '0/1');
  const { booked: markets, others } = splitMarkets(listed, shard);
  const venue = defaultVenueMarkets(markets);
  const subticks = new Map(venue.map((m) => [m.spec.symbol, m.risk.markSubticksPerTick]));
  return {
    fingerprint: configFingerprint({ markets, book: config.book }),
    markets,
    otherShardMarkets: new Set(others.map((m) => m.symbol)),
    refusesUnknownMarkets: shard.index === 0,
    createBook: config.book === 'fast' ? createFastOrderBook : createReferenceOrderBook,
    publishAccountEvents: config.accountEvents === 'true',
    marketData: { conflateMs: config.conflateMs },
    bookSample: config.sampleLevels === 0 ? undefined : bookSampleSchedule(venue, config.sampleLevels),
    groupId: config.groupId,
    markSubticksPerTick: (symbol) => subticks.get(symbol) ?? 100,
  };
}
