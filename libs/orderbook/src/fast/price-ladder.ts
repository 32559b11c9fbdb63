/**
 * Where the fast book finds its price levels: price → level id, the best level of
 * each side, and the next worse level. Two layouts stand behind it:
 * - `DirectPriceLadder` for tick ranges up to `DIRECT_LADDER_MAX_TICKS`: an Int32Array
 *   indexed by tick plus one `TickBitmap` per side (O(1) lookup, O(log32) best search);
 * - `SparsePriceLadder` above that: a hash from tick to level plus a sorted array of
 *   active prices per side (O(1) lookup, O(log L) search, O(L) insert of a new level).
 *
 * One tick never holds a bid and an ask level at once: the book is never crossed after
 * a command, and a taker rests only after the opposite side no longer reaches its price.
 * So a single price → level map serves both sides.
 */
import type { LevelStore } from './level-store.js';

/** 2^24 ticks: a 64 MiB index at most. */
export const DIRECT_LADDER_MAX_TICKS = 1 << 24;

export interface PriceLadder {
  readonly levels: LevelStore;
  /** The level at `priceTicks` (either side), or −1. */
  find(priceTicks: number): number;
  /** Creates the (absent) level for `side` at `priceTicks` and returns its id. */
  insert(side: number, priceTicks: number): number;
  /** Deletes an emptied level. */
  remove(level: number): void;
  /** The best level of `side` (+1 bids, −1 asks), or −1. */
  best(side: number): number;
  /** The next worse level on the same side, or −1. */
  next(level: number): number;
}
