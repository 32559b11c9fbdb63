/**
 * Mark price of one market (RISK-SPEC §5.2), recomputed from event time only.
 *
 * - Basis samples: one every `markBasisSampleS`, at multiples of it since the epoch,
 *   `(mid − X)` in half-subticks from the book's best bid and ask
 *   (`markBasisSampleHalfSubticks`). A sample time with a one-sided or empty book,
 *   or before the first index, records "missing". The last n_b = window / sample
 *   sample times form a ring; P2 averages the present ones (none present: P2 = X).
 * - After a long gap only the last n_b sample times are taken (all with the book as
 *   it is now): older ones would leave the window anyway.
 * - `recompute(tsMs)` calls `computeMarkPrice` with the index, the funding rate (last
 *   applied for MEDIAN3, the running estimate for FAIR_BASIS), the time to the next
 *   funding, the basis ring and the last trade; the result replaces the market's
 *   mark and components.
 *
 * All arithmetic is @perpcore/margin's; this module only gathers its inputs on
 * schedule. Allocation: one result object per recompute (one per index tick).
 */
import { MarkMethod, computeMarkPrice, markBasisSampleHalfSubticks } from '@perpcore/margin';
import type { BookTop } from '../risk-config.js';
import type { RiskMarket } from '../risk-market.js';

const MS_PER_S = 1_000;

export class MarkPriceTracker {
  private readonly samples: Float64Array;
  private readonly present: Uint8Array;
  private cursor = 0;
  private sum = 0;
  private count = 0;
  private readonly sampleMs: number;
  private nextSampleMs = -1;

  constructor(
    private readonly market: RiskMarket,
    private readonly bookOf: () => BookTop | undefined,
  ) {
    const p = market.params;
    const n = p.markBasisWindowS / p.markBasisSampleS;
    this.samples = new Float64Array(n);
    this.present = new Uint8Array(n);
    this.sampleMs = p.markBasisSampleS * MS_PER_S;
  }

  /** Takes the basis samples due at or before `tsMs`. */
  advance(tsMs: number): void {
    if (this.nextSampleMs < 0) this.nextSampleMs = (Math.floor(tsMs / this.sampleMs) + 1) * this.sampleMs;
    if (tsMs < this.nextSampleMs) return;
    const due = Math.floor((tsMs - this.nextSampleMs) / this.sampleMs) + 1;
    const take = Math.min(due, this.samples.length);
    for (let i = 0; i < take; i++) this.sample();
    this.nextSampleMs += due * this.sampleMs;
  }

  private sample(): void {
    const c = this.cursor;
    if (this.present[c] === 1) {
      this.sum -= this.samples[c];
      this.count--;
    }
    const book = this.bookOf();
    const bid = book === undefined ? 0 : book.bestBidTicks();
    const ask = book === undefined ? 0 : book.bestAskTicks();
    const x = this.market.indexSubticks;
    if (bid > 0 && ask > 0 && x > 0) {
      const s = markBasisSampleHalfSubticks(this.market.params, bid, ask, x);
      this.samples[c] = s;
      this.present[c] = 1;
      this.sum += s;
      this.count++;
    } else {
      this.present[c] = 0;
    }
    this.cursor = c + 1 === this.samples.length ? 0 : c + 1;
  }

  /**
   * New mark at `tsMs` (needs an index). `upcomingRateE8` is the running funding
   * estimate (FAIR_BASIS); `nextFundingMs` the next funding time. Returns true when
   * the mark changed.
   */
  recompute(tsMs: number, nextFundingMs: number, upcomingRateE8: number): boolean {
    const m = this.market;
    if (m.indexSubticks <= 0) return false;
    const intervalMs = m.params.fundingIntervalS * 1000;
    const tauMs = Math.min(intervalMs, Math.max(0, nextFundingMs - tsMs));
    const mark = computeMarkPrice(m.params, {
      indexSubticks: m.indexSubticks,
      fundingRateE8: m.params.markMethod === MarkMethod.FairBasis ? upcomingRateE8 : m.lastFundingRateE8,
      timeToFundingMs: tauMs,
      basisSumHalfSubticks: this.sum,
      basisSampleCount: this.count,
      lastTradeTicks: m.lastTradeTicks > 0 ? m.lastTradeTicks : null,
    });
    const changed = mark.markSubticks !== m.markSubticks;
    m.markSubticks = mark.markSubticks;
    m.markP1Subticks = mark.p1Subticks;
    m.markP2Subticks = mark.p2Subticks;
    m.markP3Subticks = mark.p3Subticks;
    return changed;
  }

  /** Ring contents for the state hash: cursor, then (present, sample) pairs. */
  hashInto(out: number[]): void {
    out.push(this.cursor, this.nextSampleMs);
    for (let i = 0; i < this.samples.length; i++) out.push(this.present[i], this.present[i] === 1 ? this.samples[i] : 0);
  }

}
