/**
 * The diff-depth chain of one `<symbol>@depth[@rate]` stream: the levels changed since
 * the last event it sent, and that event's `u`.
 *
 * Chain invariant (what ccxt's sync checks, BINANCE-COMPAT §4): every event has
 * `pu` = the previous event's `u`, `U = pu + 1`, `u` = the market's `lastUpdateId`
 * (the matching stream's seq) when it is sent. A REST snapshot taken at any moment has
 * `lastUpdateId = L` with `pu ≤ L ≤ u` for the next event, so that event satisfies
 * `U ≤ L ≤ u` or `pu == L`, and levels are absolute quantities, so applying it to
 * the snapshot gives the book at `u` exactly. Memory: one entry per changed level.
 */
import { Side } from '@perpcore/domain';
import type { LevelJson } from '../market-data/market-views.js';
import type { MarketState } from '../market-data/market-state.js';
import { priceText, qtyText } from '../market-data/wire-format.js';

export class DepthDiff {
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();

  constructor(
    readonly market: MarketState,
    /** The `u` of the last event sent (the chain's start: the market's id when the stream opened). */
    public lastSentId: number,
  ) {}

  record(side: Side, priceTicks: number, levelQtyLots: number): void {
    (side === Side.Buy ? this.bids : this.asks).set(priceTicks, levelQtyLots);
  }

  get empty(): boolean {
    return this.bids.size === 0 && this.asks.size === 0;
  }

  /** Takes the changed levels as Binance `[price, qty]` pairs and clears them. */
  drain(side: Side): LevelJson[] {
    const map = side === Side.Buy ? this.bids : this.asks;
    const out: LevelJson[] = [];
    for (const [p, q] of map) out.push([priceText(this.market.spec, p), qtyText(this.market.spec, q)]);
    map.clear();
    return out;
  }
}
