/**
 * A matching shard: one of M matching processes, each booking its share of the
 * venue's markets (cluster mode: `npm run start:cluster -- --matching-shards M`).
 *
 * Shard i of M books the markets at positions k ≡ i (mod M) of the configured list
 * (PERPCORE_MATCHING_MARKETS, default every venue market in venue order), so every
 * shard derives the same split from the same list. Each shard reads all of
 * `matching.commands.v1` in a consumer group of its own and skips the commands of
 * the other shards' markets. The split is fixed by configuration, not by Kafka's
 * partition assignment: a book is state that must not move on a rebalance, and two
 * markets can hash to one partition (ADR 0005). A command for a market outside the
 * list is still refused and dead-lettered once, by shard 0, as with one matching
 * process; the other shards skip it.
 *
 * Example: markets [BTCUSDT, ETHUSDT], shard 1/2 books ETHUSDT and skips BTCUSDT's
 * commands; shard 0/1 (the default) books both and skips nothing.
 */

export interface MatchingShard {
  /** 0-based, below `count`. */
  readonly index: number;
  readonly count: number;
}

/** Most matching shards a cluster runs (one market each at most; the venue lists far fewer). */
export const MAX_MATCHING_SHARDS = 64;

/** Reads `i/M` (e.g. `0/2`); throws naming the variable for anything else. */
export function parseMatchingShard(text: string, variable = 'PERPCORE_MATCHING_SHARD'): MatchingShard {
  const m = /^(\d{1,2})\/(\d{1,2})$/.exec(text);
  const index = m === null ? NaN : Number(m[1]);
  const count = m === null ? NaN : Number(m[2]);
  if (!(count >= 1 && count <= MAX_MATCHING_SHARDS && index >= 0 && index < count)) {
    throw new Error(`${variable} must be i/M with 1 ≤ M ≤ ${MAX_MATCHING_SHARDS} and 0 ≤ i < M, got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** The markets shard `shard` books and those the other shards book, in list order; throws when the shard would book none. */
export function splitMarkets<T>(markets: readonly T[], shard: MatchingShard): { booked: T[]; others: T[] } {
  const booked: T[] = [];
  const others: T[] = [];
  markets.forEach((m, k) => (k % shard.count === shard.index ? booked : others).push(m));
  if (booked.length === 0) throw new Error(`matching shard ${shard.index}/${shard.count} books no market: ${markets.length} listed, so at most ${markets.length} shards`);
  return { booked, others };
}
