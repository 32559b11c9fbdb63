/**
 * Prices and time for every market: index prices in, mark prices and funding out.
 *
 * - `onIndex(symbol, priceSubticks, tsNs)`: the oracle's index for a symbol. It
 *   updates the market of that symbol and every collateral asset priced by it,
 *   advances the market's schedules to the event time, recomputes the mark, and on
 *   a change publishes `MarkPriceV1` and runs the breach index for that market (and
 *   for the collateral dimensions whose index moved). Called only with an index
 *   the gate admitted (index-price-gate.ts: a listed symbol, a positive price in
 *   the market's range, stamped after the symbol's last applied one), so
 *   `indexTsNs` only grows.
 * - `advance(tsNs)`: time alone (a timer in embedded mode): basis and premium
 *   samples and funding times for every market, no new index.
 * - Funding (the schedule's hooks): ΔG = `fundingIndexIncrement(F, P_f)` with P_f
 *   the mark (or index), PF refreshed for every open row of the market
 *   (`pendingFundingUnits`), `FundingSettledV1` published, then every holder is
 *   evaluated. Estimates go out as `FundingRateV1` when they change.
 *
 * Time: event `tsNs` only, as ms since the epoch (exact in a double).
 */
import { type CollateralPrice, FundingPriceSource, fundingIndexIncrement, pendingFundingUnits } from '@perpcore/margin';
import type { perpcore } from '@perpcore/proto';
import type { FundingHooks } from './funding-schedule.js';
import { type MarginWatch, markMethodToWire } from '../margin-watch/margin-watch.js';
import type { RiskMarket } from '../risk-market.js';
import type { RiskState } from '../risk-state.js';
import type { LoanWatch } from '../loans/loan-watch.js';

const NS_PER_MS = 1_000_000;

export class MarketPrices implements FundingHooks {
  /** Scopes re-evaluated by the last index event (the benchmark's "touched"). */
  touchedLastTick = 0;
  fundingsApplied = 0;
  private tsNs = 0;

  constructor(
    private readonly s: RiskState,
    private readonly watch: MarginWatch,
    private readonly loans: LoanWatch | null = null,
  ) {}

  onIndex(symbol: string, priceSubticks: number, tsNs: number): boolean {
    const s = this.s;
    const m = s.setup.marketIndex.get(symbol);
    let known = false;
    let touched = 0;
    for (const c of s.setup.collateral) {
      if (s.markets[c.indexMarket].symbol !== symbol) continue;
      known = true;
      if (c.indexSubticks === priceSubticks) continue;
      c.indexSubticks = priceSubticks;
      c.price = { settleUnits: priceSubticks * c.settleUnitsPerSubtick, perAssetUnits: c.perAssetUnits } satisfies CollateralPrice;
      touched += this.watch.onPriceMoved(s.markets.length + s.setup.collateral.indexOf(c), priceSubticks, c.indexMarket, tsNs);
      if (this.loans !== null) touched += this.loans.onCollateralPrice(c.assetIndex, tsNs);
    }
    if (m !== undefined) {
      const market = s.markets[m];
      market.indexSubticks = priceSubticks;
      market.indexTsNs = tsNs;
      this.advanceMarket(m, tsNs);
      touched += this.remark(m, tsNs);
    }
    this.touchedLastTick = touched;
    return known || m !== undefined;
  }

  advance(tsNs: number): void {
    for (let m = 0; m < this.s.markets.length; m++) this.advanceMarket(m, tsNs);
  }

  /** Recomputes the mark of market m at `tsNs`; on a change publishes it and runs the breach index. */
  remark(m: number, tsNs: number): number {
    const s = this.s;
    const market = s.markets[m];
    const tsMs = Math.floor(tsNs / NS_PER_MS);
    const schedule = s.funding[m];
    const upcoming = market.params.markMethod === 'FAIR_BASIS' ? schedule.upcomingRateE8() : market.lastFundingRateE8;
    if (!s.markTrackers[m].recompute(tsMs, schedule.nextFundingMs < 0 ? tsMs : schedule.nextFundingMs, upcoming)) return 0;
    s.evaluator.marks[m] = market.markSubticks;
    s.events.market(market, tsNs, {
      event: 'markPrice',
      markPrice: {
        markSubticks: market.markSubticks,
        method: markMethodToWire(market.params.markMethod),
        indexSubticks: market.indexSubticks,
        p1Subticks: market.markP1Subticks,
        p2Subticks: market.markP2Subticks,
        p3Subticks: market.lastTradeTicks > 0 ? market.markP3Subticks : 0,
      } as perpcore.risk.v1.MarkPriceV1,
    });
    return this.watch.onPriceMoved(m, market.markSubticks, m, tsNs);
  }

  private advanceMarket(m: number, tsNs: number): void {
    const tsMs = Math.floor(tsNs / NS_PER_MS);
    this.tsNs = tsNs;
    this.s.markTrackers[m].advance(tsMs);
    this.s.funding[m].advance(tsMs, this);
  }

  applyFunding(market: RiskMarket, fundingTimeMs: number, rateE8: number): void {
    const s = this.s;
    market.lastFundingRateE8 = rateE8;
    const price = market.params.fundingPrice === FundingPriceSource.Index ? market.indexSubticks : market.markSubticks;
    if (price <= 0) return;
    const delta = fundingIndexIncrement(market.params, rateE8, price);
    market.fundingIndex += delta;
    const g = market.fundingIndex;
    const led = s.ledger;
    for (const r of led.rowsOfMarket[market.index]) {
      const q = led.qtyLots[r];
      led.pendingFundingUnits[r] = q === 0 ? 0 : pendingFundingUnits(market.params, q, g, led.fundingSnapshot[r]);
    }
    this.fundingsApplied++;
    const tsNs = fundingTimeMs * NS_PER_MS;
    s.events.market(market, Math.max(tsNs, this.tsNs), {
      event: 'fundingSettled',
      fundingSettled: {
        rateE8,
        fundingPriceSubticks: price,
        indexDeltaScaledUnits: String(delta),
        cumulativeIndexScaledUnits: String(g),
        fundingTimeNs: tsNs,
      } as perpcore.risk.v1.FundingSettledV1,
    });
    this.watch.reevaluateMarketHolders(market.index, this.tsNs);
  }

  estimate(market: RiskMarket, rateE8: number, averagePremiumE8: number, fundingTimeMs: number): void {
    if (market.lastPublishedRateE8 === rateE8) return;
    market.lastPublishedRateE8 = rateE8;
    this.s.events.market(market, this.tsNs, {
      event: 'fundingRate',
      fundingRate: { rateE8, averagePremiumE8, fundingTimeNs: fundingTimeMs * NS_PER_MS } as perpcore.risk.v1.FundingRateV1,
    });
  }
}
