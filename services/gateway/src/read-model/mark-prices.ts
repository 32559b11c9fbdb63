/**
 * The last mark price of each market, folded from risk's `markPrice` market
 * events: in subticks as risk publishes it, and in whole ticks for the
 * PERCENT_PRICE band (rounded down; 0 until the first mark, when the band is not
 * checked and the core refuses what needs a mark).
 */
import type { VenueMarket } from '@perpcore/markets';
import type { RiskEventV1 } from '@perpcore/proto';

export class MarkPrices {
  private readonly subticks = new Map<string, number>();
  private readonly subticksPerTick: Map<string, number>;

  constructor(markets: readonly VenueMarket[]) {
    this.subticksPerTick = new Map(markets.map((m) => [m.spec.symbol, m.risk.markSubticksPerTick]));
  }

  onRiskEvent(e: RiskEventV1): void {
    if (e.event === 'markPrice' && e.markPrice != null) this.subticks.set(e.market, Number(e.markPrice.markSubticks));
  }

  /** The mark in subticks, undefined before the first. */
  markSubticks(market: string): number | undefined {
    return this.subticks.get(market);
  }

  markTicks(market: string): number {
    const s = this.subticks.get(market);
    return s === undefined ? 0 : Math.floor(s / (this.subticksPerTick.get(market) ?? 1));
  }
}
