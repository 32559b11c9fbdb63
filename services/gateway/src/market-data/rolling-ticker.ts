/**
 * The rolling 24 h ticker of one market, exact: one bucket per minute (1,440 of them,
 * reused in a ring, so memory is fixed), each with open/high/low/close in ticks, the
 * traded lots, Σ price × lots (for quote volume and the weighted average, as bigint
 * because a day's sum can leave the safe-integer range) and the trade count.
 *
 * Per fill nothing is allocated (buckets are reused; the sum stays a number until it
 * would leave the safe range).
 *
 * Window: the minutes (now − 24 h, now], at one-minute resolution (a trade leaves the
 * window with its minute). "now" is the latest event time the model has seen, so the
 * ticker is a pure function of the event log.
 */
const MINUTE_MS = 60_000;
export const TICKER_WINDOW_MINUTES = 1_440;

interface MinuteBucket {
  minute: number;
  openTicks: number;
  highTicks: number;
  lowTicks: number;
  closeTicks: number;
  firstTradeId: number;
  lastTradeId: number;
  volumeLots: number;
  /** Σ price × lots = priceLotsWide + priceLotsSafe; the safe part takes each fill without a bigint until it would leave 2^53. */
  priceLotsSafe: number;
  priceLotsWide: bigint;
  count: number;
}

export interface TickerStats {
  /** 0 when no trade in the window (then every figure below is 0). */
  readonly count: number;
  readonly openTicks: number;
  readonly highTicks: number;
  readonly lowTicks: number;
  readonly lastTicks: number;
  readonly volumeLots: number;
  /** Σ price ticks × lots over the window: quote volume = this × lotTickUnits settle units. */
  readonly priceLotsSum: bigint;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly openTimeMs: number;
  readonly closeTimeMs: number;
}

export class RollingTicker {
  private readonly buckets: (MinuteBucket | undefined)[] = new Array(TICKER_WINDOW_MINUTES);
  /** The last trade ever seen (also after it left the window), 0 before the first. */
  lastPriceTicks = 0;
  lastQtyLots = 0;

  onTrade(tradeId: number, priceTicks: number, qtyLots: number, tsMs: number): void {
    this.lastPriceTicks = priceTicks;
    this.lastQtyLots = qtyLots;
    const minute = Math.floor(tsMs / MINUTE_MS);
    const slot = minute % TICKER_WINDOW_MINUTES;
    let b = this.buckets[slot];
    if (b === undefined || b.minute !== minute) {
      b = this.buckets[slot] ?? ({ priceLotsWide: 0n } as MinuteBucket);
      b.minute = minute;
      b.openTicks = b.highTicks = b.lowTicks = b.closeTicks = priceTicks;
      b.firstTradeId = b.lastTradeId = tradeId;
      b.volumeLots = 0;
      b.priceLotsSafe = 0;
      b.priceLotsWide = 0n;
      b.count = 0;
      this.buckets[slot] = b;
    }
    if (priceTicks > b.highTicks) b.highTicks = priceTicks;
    if (priceTicks < b.lowTicks) b.lowTicks = priceTicks;
    b.closeTicks = priceTicks;
    b.lastTradeId = tradeId;
    b.volumeLots += qtyLots;
    // price × lots ≤ maxPriceTicks × maxQtyLots ≤ 2^53 (market spec invariant): exact as a number
    const priceLots = priceTicks * qtyLots;
    if (b.priceLotsSafe + priceLots > Number.MAX_SAFE_INTEGER) {
      b.priceLotsWide += BigInt(b.priceLotsSafe);
      b.priceLotsSafe = 0;
    }
    b.priceLotsSafe += priceLots;
    b.count++;
  }

  stats(nowMs: number): TickerStats {
    const nowMinute = Math.floor(nowMs / MINUTE_MS);
    let first: MinuteBucket | undefined;
    let last: MinuteBucket | undefined;
    let high = 0;
    let low = 0;
    let volume = 0;
    let sum = 0n;
    let count = 0;
    for (const b of this.buckets) {
      if (b === undefined || b.minute <= nowMinute - TICKER_WINDOW_MINUTES || b.minute > nowMinute) continue;
      if (first === undefined || b.minute < first.minute) first = b;
      if (last === undefined || b.minute > last.minute) last = b;
      if (count === 0 || b.highTicks > high) high = b.highTicks;
      if (count === 0 || b.lowTicks < low) low = b.lowTicks;
      volume += b.volumeLots;
      sum += b.priceLotsWide + BigInt(b.priceLotsSafe);
      count += b.count;
    }
    const openTimeMs = (nowMinute - TICKER_WINDOW_MINUTES + 1) * MINUTE_MS;
    return {
      count,
      openTicks: first?.openTicks ?? 0,
      highTicks: high,
      lowTicks: low,
      lastTicks: last?.closeTicks ?? 0,
      volumeLots: volume,
      priceLotsSum: sum,
      firstTradeId: first?.firstTradeId ?? 0,
      lastTradeId: last?.lastTradeId ?? 0,
      openTimeMs,
      closeTimeMs: nowMs,
    };
  }
}
