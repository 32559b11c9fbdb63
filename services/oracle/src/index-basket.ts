/**
 * Index basket aggregation (RISK-SPEC §5.1): a weighted mean of spot sources with
 * an outlier rule applied around their median.
 *
 * - Median: of the source prices (even count: the lower middle, so no rounding).
 * - Outlier rule, with band `maxDeviationE8` around the median M:
 *   `DROP` leaves out a source with |p − M| > M × band; `CAP` clamps it to the band
 *   edge (rounded toward M, so a capped source never lies beyond the band).
 * - Index: `round_half_even(Σ wᵢ pᵢ / Σ wᵢ)` over the used sources, exact (bigint
 *   sums: weights are 1e-8 integers and prices can reach 2^53).
 *
 * Invariants: at least one source is always used (the median itself is never an
 * outlier); the index lies between the smallest and largest used price.
 *
 * Example: sources 30,000.00 / 30,010.00 / 31,000.00 (subticks ×100), equal
 * weights, band 1% → median 30,010.00, the 31,000.00 source is 3.3% away: DROP gives
 * (30,000 + 30,010) / 2 = 30,005.00; CAP clamps it to 30,310.10 first.
 */
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';
import type { IndexSourceQuote } from './price-feed.js';

export const OutlierRule = { Drop: 'DROP', Cap: 'CAP' } as const;
export type OutlierRule = (typeof OutlierRule)[keyof typeof OutlierRule];

export interface BasketRule {
  readonly outlierRule: OutlierRule;
  /** Largest accepted distance from the median, in 1e-8 of the median. */
  readonly maxDeviationE8: number;
}

export interface SourcePrice {
  readonly source: string;
  readonly priceSubticks: number;
  readonly weightE8: number;
}

export interface AggregatedIndex {
  readonly priceSubticks: number;
  readonly sources: IndexSourceQuote[];
}

const E8 = 100_000_000n;

function requirePositive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new DomainError('ORACLE_INVALID_SOURCE', `${name} must be a positive safe integer, got ${value}`);
}

/** Aggregates one symbol's source prices into the index (see the module doc). */
export function aggregateIndex(prices: readonly SourcePrice[], rule: BasketRule): AggregatedIndex {
  if (prices.length === 0) throw new DomainError('ORACLE_NO_SOURCES', 'an index needs at least one source price');
  if (!Number.isSafeInteger(rule.maxDeviationE8) || rule.maxDeviationE8 < 0) {
    throw new DomainError('ORACLE_INVALID_RULE', `maxDeviationE8 must be a non-negative safe integer, got ${rule.maxDeviationE8}`);
  }
  for (const p of prices) {
    requirePositive(`${p.source}.priceSubticks`, p.priceSubticks);
    requirePositive(`${p.source}.weightE8`, p.weightE8);
  }
  const sorted = prices.map((p) => p.priceSubticks).sort((a, b) => a - b);
  const median = BigInt(sorted[(sorted.length - 1) >> 1]);
  // band edges, rounded toward the median so a capped price stays inside the band
  const band = (median * BigInt(rule.maxDeviationE8)) / E8;
  const low = median - band;
  const high = median + band;
  let weighted = 0n;
  let weights = 0n;
  const sources: IndexSourceQuote[] = [];
  for (const p of prices) {
    let price = BigInt(p.priceSubticks);
    const outside = price < low || price > high;
    if (outside && rule.outlierRule === OutlierRule.Drop) {
      sources.push({ source: p.source, priceSubticks: p.priceSubticks, weightE8: p.weightE8, used: false });
      continue;
    }
    if (outside) price = price < low ? low : high;
    weighted += price * BigInt(p.weightE8);
    weights += BigInt(p.weightE8);
    sources.push({ source: p.source, priceSubticks: Number(price), weightE8: p.weightE8, used: true });
  }
  const index = divRoundBig(weighted, weights, Rounding.HalfEven);
  return { priceSubticks: Number(index), sources };
}
