/**
 * Funding schedule of one market (RISK-SPEC §5.3–§5.7), driven by event time.
 *
 * - Premium samples: one every `premiumSampleS`, at multiples of it since the
 *   epoch. A sample walks the book's levels for the impact bid and ask
 *   (`createImpactPriceWalker` over `BookTop.forEachLevel`) and takes
 *   `premiumIndexE8` against the index; no index yet → no sample.
 * - Funding times: multiples of `fundingIntervalS` since the epoch. At a funding
 *   time T the samples of (T − interval, T] are averaged (`averagePremiumE8`; none:
 *   P̄ = 0, so the rate is the clamped interest rate), `fundingRate` gives F, and the
 *   engine applies it (ΔG, PF refresh, evaluation of the holders) through the
 *   `FundingHooks`. A sample at exactly T belongs to the interval ending at T.
 * - Estimates: every `ESTIMATE_EVERY_S` of sample time the running rate goes to
 *   `hooks.estimate` (published as FundingRateV1 when it changes).
 * - Time is in ms since the epoch (`floor(tsNs / 1e6)`, exact in a double; ns
 *   values near 1.7e18 are not).
 * - A gap of several intervals applies each missed funding time in order, each with
 *   the samples it has (possibly none).
 *
 * Formulas are @perpcore/margin's; this module only keeps time and samples.
 */
import { Side } from '@perpcore/domain';
import { averagePremiumE8, createImpactPriceWalker, fundingRate, impactNotionalUnits, premiumIndexE8, type ImpactPriceWalker } from '@perpcore/margin';
import type { BookTop } from '../risk-config.js';
import type { RiskMarket } from '../risk-market.js';

const MS_PER_S = 1_000;
const ESTIMATE_EVERY_S = 60;

export interface FundingHooks {
  applyFunding(market: RiskMarket, fundingTimeMs: number, rateE8: number, averagePremiumE8: number): void;
  estimate(market: RiskMarket, rateE8: number, averagePremiumE8: number, fundingTimeMs: number): void;
}

export class FundingSchedule {
  nextFundingMs = -1;
  private nextSampleMs = -1;
  private readonly samplesE8: number[] = [];
  private readonly intervalMs: number;
  private readonly sampleMs: number;
  private readonly walker: ImpactPriceWalker;
  private readonly impactNotional: number;

  constructor(
    private readonly market: RiskMarket,
    private readonly bookOf: () => BookTop | undefined,
    private readonly depthLevels: number,
  ) {
    this.intervalMs = market.params.fundingIntervalS * MS_PER_S;
    this.sampleMs = market.params.premiumSampleS * MS_PER_S;
    this.walker = createImpactPriceWalker(market.params);
    this.impactNotional = impactNotionalUnits(market.params);
  }

  /** Takes the samples and applies the funding times due at or before `tsMs`. */
  advance(tsMs: number, hooks: FundingHooks): void {
    if (this.nextFundingMs < 0) {
      this.nextFundingMs = (Math.floor(tsMs / this.intervalMs) + 1) * this.intervalMs;
      this.nextSampleMs = (Math.floor(tsMs / this.sampleMs) + 1) * this.sampleMs;
    }
    for (;;) {
      if (this.nextSampleMs <= tsMs && this.nextSampleMs <= this.nextFundingMs) {
        this.sample(hooks);
        this.nextSampleMs += this.sampleMs;
        // after a long gap, skip to the samples of the current interval
        const intervalStart = this.nextFundingMs - this.intervalMs;
        if (this.nextSampleMs <= intervalStart) this.nextSampleMs = intervalStart + this.sampleMs;
      } else if (this.nextFundingMs <= tsMs) {
        const avg = this.samplesE8.length === 0 ? 0 : averagePremiumE8(this.samplesE8, this.market.params.premiumAveraging);
        const rate = fundingRate(this.market.params, avg).rateE8;
        const at = this.nextFundingMs;
        this.samplesE8.length = 0;
        this.nextFundingMs += this.intervalMs;
        if (this.nextSampleMs <= at) this.nextSampleMs = at + this.sampleMs;
        hooks.applyFunding(this.market, at, rate, avg);
      } else {
        return;
      }
    }
  }

  /** The rate the samples so far would give (the clamped interest rate without samples). */
  upcomingRateE8(): number {
    const avg = this.samplesE8.length === 0 ? 0 : averagePremiumE8(this.samplesE8, this.market.params.premiumAveraging);
    return fundingRate(this.market.params, avg).rateE8;
  }

  sampleCount(): number {
    return this.samplesE8.length;
  }

  private sample(hooks: FundingHooks): void {
    const x = this.market.indexSubticks;
    if (x <= 0) return;
    const bid = this.impactPrice(Side.Buy);
    const ask = bid === null ? null : this.impactPrice(Side.Sell);
    this.samplesE8.push(premiumIndexE8(this.market.params, bid, ask, x));
    if ((this.nextSampleMs / MS_PER_S) % ESTIMATE_EVERY_S === 0) {
      const avg = averagePremiumE8(this.samplesE8, this.market.params.premiumAveraging);
      hooks.estimate(this.market, fundingRate(this.market.params, avg).rateE8, avg, this.nextFundingMs);
    }
  }

  private impactPrice(side: Side) {
    const book = this.bookOf();
    if (book === undefined) return null;
    this.walker.begin(this.impactNotional);
    book.forEachLevel(side, this.depthLevels, this.walker.visit);
    return this.walker.result();
  }

  /** Schedule and samples for the state hash. */
  hashInto(out: number[]): void {
    out.push(this.nextFundingMs, this.nextSampleMs, this.samplesE8.length);
    for (const s of this.samplesE8) out.push(s);
  }
}
