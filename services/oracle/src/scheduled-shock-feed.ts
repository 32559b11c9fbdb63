/**
 * A price feed with scheduled shocks: wraps another `PriceFeed` and, from each
 * shock's time on, multiplies that symbol's index (and every source quote) by
 * (1 + shockE8 / 1e8), rounded half-to-even to a subtick. Deterministic: the shock
 * is a function of the event time only. The embedded simulation uses it to gap the
 * market far enough to liquidate leveraged accounts. A shock decided while running
 * (the cluster oracle's shock waits for the launcher's signal) is `add`ed with its
 * time; from then on the feed is again a function of the event time.
 */
import { Rounding, mulDiv } from '@perpcore/domain';
import type { IndexQuote, PriceFeed } from './price-feed.js';

export interface ScheduledShock {
  readonly symbol: string;
  readonly atTsNs: number;
  /** Relative move in 1e-8 (−15,000,000 = −15%). */
  readonly shockE8: number;
}

const E8 = 100_000_000;

export class ScheduledShockFeed implements PriceFeed {
  readonly symbols: readonly string[];
  private readonly shocks: ScheduledShock[] = [];

  constructor(
    private readonly inner: PriceFeed,
    shocks: readonly ScheduledShock[],
  ) {
    this.symbols = inner.symbols;
    for (const s of shocks) this.add(s);
  }

  /** Schedules one more shock (validated as the constructor's). */
  add(shock: ScheduledShock): void {
    if (!Number.isSafeInteger(shock.shockE8) || shock.shockE8 <= -E8 || shock.shockE8 >= E8) throw new Error(`shock for ${shock.symbol}: shockE8 must be in (−1e8, 1e8), got ${shock.shockE8}`);
    if (!Number.isFinite(shock.atTsNs)) throw new Error(`shock for ${shock.symbol}: atTsNs must be a finite time, got ${shock.atTsNs}`);
    this.shocks.push(shock);
  }

  quoteAt(symbol: string, tsNs: number): IndexQuote | undefined {
    const quote = this.inner.quoteAt(symbol, tsNs);
    if (quote === undefined) return undefined;
    let factorE8 = E8;
    for (const s of this.shocks) if (s.symbol === symbol && tsNs >= s.atTsNs) factorE8 = mulDiv(factorE8, E8 + s.shockE8, E8, Rounding.HalfEven);
    if (factorE8 === E8) return quote;
    const scale = (p: number) => Math.max(1, mulDiv(p, factorE8, E8, Rounding.HalfEven));
    return { symbol, priceSubticks: scale(quote.priceSubticks), sources: quote.sources.map((q) => ({ ...q, priceSubticks: scale(q.priceSubticks) })) };
  }
}
