/**
 * Appending an order slot to the back of its price level's FIFO (creating the level
 * if the price has none): the one place the fast book links a resting order, for
 * `rest` on the matching path and for `importState`.
 */
import type { LevelStore } from './level-store.js';
import { NO_SLOT, type OrderPool } from './order-pool.js';
import type { PriceLadder } from './price-ladder.js';

/** Links `slot` (side, price and remaining set) at the back of its level; returns the level. */
export function appendToLevel(pool: OrderPool, ladder: PriceLadder, levels: LevelStore, slot: number): number {
  const price = pool.price[slot];
  let level = ladder.find(price);
  if (level < 0) level = ladder.insert(pool.side[slot], price);
  const last = levels.tail[level];
  pool.prev[slot] = last;
  pool.next[slot] = NO_SLOT;
  if (last === NO_SLOT) levels.head[level] = slot;
  else pool.next[last] = slot;
  levels.tail[level] = slot;
  levels.qty[level] += pool.remaining[slot];
  pool.level[slot] = level;
  return level;
}
