/**
 * The gate every oracle input passes before it moves a price (RISK-SPEC §5.1,
 * issue 9 item 5). An index that is not applied changes nothing: no price, no
 * mark, no schedule, and not the input's (source, symbol) dedup sequence (the
 * engine consumes it only after the gate admits the input, so a corrected input
 * with the same seq is still applied). It is answered with `IndexPriceRejectedV1`
 * and counted per reason (`rejectedByReason`); the service shell logs it.
 *
 * Rules, first match wins:
 * 1. UNKNOWN_SYMBOL — no listed market has the symbol. Every collateral asset is
 *    valued by a listed market's index, so this covers collateral too.
 * 2. INVALID_PRICE — the envelope carries no `IndexPriceV1`, or its price is not a
 *    positive safe integer (0, negative, NaN, fractional, ≥ 2^53).
 * 3. INVALID_TIMESTAMP — `tsNs` is not a positive integer below 2^63 (the wire's
 *    rule for `…Ns`); a NaN would otherwise make every later staleness test false.
 * 4. PRICE_OUT_OF_RANGE — above `maxPriceTicks × markSubticksPerTick`: the market
 *    spec's bound that keeps every notional at mark inside the safe-integer range.
 * 5. STALE — `tsNs ≤` the symbol's last applied index time (`RiskMarket.indexTsNs`),
 *    whichever source sent either. One clock per symbol, shared by its market and
 *    every collateral asset it prices, so an index stamped earlier (a lagging
 *    second oracle, a replayed partition) can never move the mark or a collateral
 *    value back in time. Equal timestamps are stale too: the index of one instant
 *    is applied once, the first to arrive wins, and a replay of the same log
 *    decides the same way.
 *
 * The rejection is a market event on the symbol's stream (seq of that stream), its
 * envelope `tsNs` the symbol's last applied index time (0 before the first), so a
 * stream's time never moves back on an input that did not apply; the input's own
 * time is in the body. An unknown symbol has no stream: market = the symbol as
 * received, seq 0.
 *
 * The admitting path allocates nothing; only a rejection builds an event.
 */
import { type OracleEventV1, perpcore } from '@perpcore/proto';
import type { RiskState } from '../risk-state.js';

const Reason = perpcore.risk.v1.IndexPriceRejectReason;
type Reason = perpcore.risk.v1.IndexPriceRejectReason;

/** Short reason names, as counted and logged. */
export const IndexRejectReasonName = {
  [Reason.INDEX_PRICE_REJECT_REASON_STALE]: 'STALE',
  [Reason.INDEX_PRICE_REJECT_REASON_INVALID_PRICE]: 'INVALID_PRICE',
  [Reason.INDEX_PRICE_REJECT_REASON_PRICE_OUT_OF_RANGE]: 'PRICE_OUT_OF_RANGE',
  [Reason.INDEX_PRICE_REJECT_REASON_INVALID_TIMESTAMP]: 'INVALID_TIMESTAMP',
  [Reason.INDEX_PRICE_REJECT_REASON_UNKNOWN_SYMBOL]: 'UNKNOWN_SYMBOL',
} as const;
export type IndexRejectReasonName = (typeof IndexRejectReasonName)[keyof typeof IndexRejectReasonName];

/** The short name of a wire reason ('UNSPECIFIED' for 0 or a value this build does not know). */
export function indexRejectReasonName(reason: number): IndexRejectReasonName | 'UNSPECIFIED' {
  return IndexRejectReasonName[reason as keyof typeof IndexRejectReasonName] ?? 'UNSPECIFIED';
}

const TWO_POW_63 = 2 ** 63;

/** `ts` as a wire nanosecond count, or 0 when it is not one. */
function wireNs(ts: number): number {
  return Number.isInteger(ts) && Math.abs(ts) < TWO_POW_63 ? ts : 0;
}

export class IndexPriceGate {
  /** Inputs refused since the start, per reason. */
  readonly rejectedByReason: Record<IndexRejectReasonName, number> = { STALE: 0, INVALID_PRICE: 0, PRICE_OUT_OF_RANGE: 0, INVALID_TIMESTAMP: 0, UNKNOWN_SYMBOL: 0 };
  rejected = 0;
  /** Per market: the largest index it accepts, in mark subticks. */
  private readonly maxIndexSubticks: Float64Array;

  constructor(private readonly s: RiskState) {
    this.maxIndexSubticks = Float64Array.from(s.markets, (m) => Math.min(Number.MAX_SAFE_INTEGER, m.spec.maxPriceTicks * m.params.markSubticksPerTick));
  }

  /**
   * True when the index of `e` may be applied to market `m` (−1: the symbol is not
   * listed). Otherwise publishes the rejection, counts it and returns false.
   */
  admit(e: OracleEventV1, m: number): boolean {
    if (m < 0) return this.reject(e, -1, Reason.INDEX_PRICE_REJECT_REASON_UNKNOWN_SYMBOL, `symbol ${JSON.stringify(e.symbol)} is not listed`);
    const price = e.event === 'indexPrice' && e.indexPrice != null ? e.indexPrice.priceSubticks : undefined;
    if (price === undefined) return this.reject(e, m, Reason.INDEX_PRICE_REJECT_REASON_INVALID_PRICE, 'the oracle event carries no index price');
    if (!Number.isSafeInteger(price) || price <= 0) return this.reject(e, m, Reason.INDEX_PRICE_REJECT_REASON_INVALID_PRICE, `index price ${String(price)} is not a positive safe integer of subticks`);
    const ts = e.tsNs;
    if (!Number.isInteger(ts) || ts <= 0 || ts >= TWO_POW_63) return this.reject(e, m, Reason.INDEX_PRICE_REJECT_REASON_INVALID_TIMESTAMP, `index timestamp ${String(ts)} is not a positive integer nanosecond count below 2^63`);
    if (price > this.maxIndexSubticks[m]) return this.reject(e, m, Reason.INDEX_PRICE_REJECT_REASON_PRICE_OUT_OF_RANGE, `index price ${price} is above the market's maximum ${this.maxIndexSubticks[m]} subticks`);
    const last = this.s.markets[m].indexTsNs;
    if (ts <= last) return this.reject(e, m, Reason.INDEX_PRICE_REJECT_REASON_STALE, `index stamped ${ts} is not newer than the last applied ${last}`);
    return true;
  }

  private reject(e: OracleEventV1, m: number, reason: Reason, message: string): false {
    this.rejected++;
    this.rejectedByReason[IndexRejectReasonName[reason as keyof typeof IndexRejectReasonName]]++; // every reason the gate raises has a name
    const price = e.indexPrice?.priceSubticks;
    const lastAppliedTsNs = m >= 0 ? this.s.markets[m].indexTsNs : 0;
    const body = {
      event: 'indexPriceRejected',
      indexPriceRejected: {
        symbol: e.symbol,
        reason,
        priceSubticks: typeof price === 'number' && Number.isSafeInteger(price) ? price : 0,
        tsNs: wireNs(e.tsNs),
        lastAppliedTsNs,
        inputSource: e.source,
        inputSeq: Number.isSafeInteger(e.seq) && e.seq > 0 ? e.seq : 0,
        message,
      } as perpcore.risk.v1.IndexPriceRejectedV1,
    } as const;
    if (m >= 0) this.s.events.market(this.s.markets[m], lastAppliedTsNs, body);
    else this.s.events.unlistedMarket(e.symbol, body);
    return false;
  }
}
