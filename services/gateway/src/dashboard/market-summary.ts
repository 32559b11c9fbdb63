/**
 * One market's live figures in the dashboard's state (GET /v1/admin/dashboard/state):
 * mark, index and last price, the best bid and ask with their sizes, how many levels
 * each side of the book holds, the forced orders seen and the time of the latest
 * event, all from the gateway's market-data read model, the same fold the public
 * streams the page draws are cut from. The page can draw its first frame from the
 * state before the first stream message; an operator (or a test) can tell from one
 * call whether the gateway is receiving the market, on the embedded core or over Kafka.
 *
 * Exact decimal strings as on the public routes; "0" before the first value.
 */
import { Side } from '@perpcore/domain';
import type { MarketState } from '../market-data/market-state.js';
import { indexText, markText } from '../market-data/market-views.js';
import { priceText, qtyText } from '../market-data/wire-format.js';

export interface MarketSummary {
  readonly markPrice: string;
  readonly indexPrice: string;
  readonly lastPrice: string;
  readonly bestBid: readonly [price: string, qty: string];
  readonly bestAsk: readonly [price: string, qty: string];
  readonly bidLevels: number;
  readonly askLevels: number;
  readonly forceOrders: number;
  /** Event time of the latest event folded for the market, ms since the epoch (0: none yet). */
  readonly lastEventMs: number;
}

export function marketSummary(m: MarketState): MarketSummary {
  const best = (side: Side): readonly [string, string] => {
    const priceTicks = m.book.bestTicks(side);
    return [priceText(m.spec, priceTicks), qtyText(m.spec, m.book.qtyAt(side, priceTicks))];
  };
  return {
    markPrice: markText(m),
    indexPrice: indexText(m),
    lastPrice: priceText(m.spec, m.ticker.lastPriceTicks),
    bestBid: best(Side.Buy),
    bestAsk: best(Side.Sell),
    bidLevels: m.book.levelCount(Side.Buy),
    askLevels: m.book.levelCount(Side.Sell),
    forceOrders: m.forceOrders.size,
    lastEventMs: m.lastEventMs,
  };
}
